//! Many CPUs: the CPU id in the per-CPU area, starting an application
//! processor (AP) with INIT–SIPI–SIPI, and inter-processor interrupts, all
//! through the local APIC's interrupt command register (ICR).
//!
//! # CPU ids and APIC ids
//! An APIC id is the platform's name for a CPU (the ACPI MADT lists them;
//! they need not be dense). A CPU id is ldex-core's dense index below
//! [`MAX_CPUS`]: 0 for the boot CPU, then 1, 2, ... in the order boot code
//! starts the APs. [`start_ap`] records which APIC id each CPU id is, so
//! [`send_ipi`] can name it; [`set_cpu_id`], run by the AP itself, puts its
//! id in its per-CPU area, where `X86_64::cpu_id` reads it.
//!
//! # Starting an AP ([`start_ap`])
//! The universal start-up algorithm of Intel's MP specification (B.4): an
//! INIT IPI (assert, then deassert) puts the AP in wait-for-SIPI, and two
//! STARTUP IPIs, 200 µs apart, start it in real mode at `CS:IP =
//! page << 8 : 0`, i.e. physical address `page * 4096`, below 1 MiB. What
//! runs there (the trampoline to long mode) is the kernel's.
//!
//! # IPIs ([`send_ipi`])
//! A fixed-delivery IPI on [`IPI_VECTOR`] to one APIC id. Nothing travels
//! with it: the sender has posted the work in the target's pending-work
//! word first, and the interrupt only makes the target look.

use core::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

use ldex_core::BootToken;
use ldex_core::MAX_CPUS;
use ldex_core::Timer as _;

use crate::cpuid::cpuid;
use crate::percpu;
use crate::timer::Timer;

pub use crate::entry::IPI_VECTOR;

const REG_EOI: usize = 0xb0;
const REG_ICR_LOW: usize = 0x300;
const REG_ICR_HIGH: usize = 0x310;
/// ICR delivery modes and flags (Intel SDM vol. 3, 11.6.1).
const ICR_INIT: u32 = 0b101 << 8;
const ICR_STARTUP: u32 = 0b110 << 8;
const ICR_PENDING: u32 = 1 << 12;
const ICR_ASSERT: u32 = 1 << 14;
const ICR_LEVEL: u32 = 1 << 15;

/// The APIC id of each CPU id (`u32::MAX`: none yet).
static APIC_OF_CPU: [AtomicU32; MAX_CPUS] = [const { AtomicU32::new(u32::MAX) }; MAX_CPUS];
/// The local APIC's virtual address (the same on every CPU).
static LAPIC: AtomicUsize = AtomicUsize::new(0);

/// The APIC id of the CPU that runs this (CPUID leaf 1, EBX bits 31:24).
pub fn apic_id() -> u32 {
    cpuid(1, 0).ebx >> 24
}

/// Make `cpu` this CPU's id: point GS.base at its per-CPU area.
///
/// Every CPU calls it first, the boot CPU included (with 0): until then
/// GS.base is 0 and `X86_64::cpu_id` reads whatever lies at a low address.
/// (The trap table's install gives a CPU without an area CPU 0's, but
/// `Kernel::boot` may ask for the id before it installs the trap table.)
///
/// # Safety
/// Boot code of this CPU, ring 0, interrupts off, before it calls into the
/// kernel or installs the trap table; `cpu` is below [`MAX_CPUS`] and no
/// other CPU has it (ldex-core keeps one CPU's state per id: two CPUs
/// sharing one would race on it).
pub unsafe fn set_cpu_id(_token: &BootToken, cpu: usize) {
    assert!(
        cpu < MAX_CPUS,
        "CPU id {cpu} is not below MAX_CPUS ({MAX_CPUS})"
    );
    // SAFETY: forwarded.
    unsafe { percpu::install(cpu) };
}

/// This CPU's id.
#[inline(always)]
pub fn cpu_id() -> usize {
    percpu::cpu_id()
}

/// Wait `ns` nanoseconds on `timer`'s clock.
fn delay(timer: &Timer, ns: u64) {
    let end = timer.now() + ns;
    while timer.now() < end {
        core::hint::spin_loop();
    }
}

/// Write the ICR: `high` (the destination) first, since writing the low
/// half sends; then wait until the APIC has sent it.
fn send_icr(timer: &Timer, apic: u32, low: u32) {
    timer.write(REG_ICR_HIGH, apic << 24);
    timer.write(REG_ICR_LOW, low);
    while timer.read(REG_ICR_LOW) & ICR_PENDING != 0 {
        core::hint::spin_loop();
    }
}

/// Start the AP whose APIC id is `apic` as CPU `cpu`, in real mode at
/// physical address `page * 4096` (INIT, 10 ms, SIPI, 200 µs, SIPI), on
/// the boot CPU's `timer` (its local APIC, its clock for the delays).
/// Returns once the IPIs are sent; the AP says it is up however the
/// kernel's trampoline arranges.
///
/// # Safety
/// Ring 0, boot code. Page `page` (below 1 MiB) holds real-mode code that
/// brings the AP into the kernel with a stack of its own and calls
/// [`set_cpu_id`] with `cpu` before anything else; `cpu` and `apic` are
/// given out once each.
pub unsafe fn start_ap(_token: &BootToken, timer: &Timer, cpu: usize, apic: u32, page: u8) {
    LAPIC.store(timer.lapic(), Ordering::Relaxed);
    APIC_OF_CPU[0].store(apic_id(), Ordering::Relaxed);
    APIC_OF_CPU[cpu].store(apic, Ordering::Relaxed);
    send_icr(timer, apic, ICR_INIT | ICR_LEVEL | ICR_ASSERT);
    send_icr(timer, apic, ICR_INIT | ICR_LEVEL);
    delay(timer, 10_000_000);
    for _ in 0..2 {
        send_icr(timer, apic, ICR_STARTUP | u32::from(page));
        delay(timer, 200_000);
    }
}

/// Send CPU `cpu` an IPI on [`IPI_VECTOR`].
///
/// # Panics
/// If CPU `cpu` was never started ([`start_ap`]).
pub fn send_ipi(cpu: usize) {
    let apic = APIC_OF_CPU[cpu].load(Ordering::Relaxed);
    assert_ne!(apic, u32::MAX, "no CPU {cpu}");
    let lapic = LAPIC.load(Ordering::Relaxed);
    // SAFETY: `lapic` maps the local APIC (`start_ap` took it from the
    // calibrated timer); writing the ICR only sends the IPI. Interrupts are
    // off around the two writes, so no handler on this CPU sends between.
    unsafe {
        let saved = <crate::X86_64 as ldex_core::sync::Interrupts>::save_and_disable();
        while ((lapic + REG_ICR_LOW) as *const u32).read_volatile() & ICR_PENDING != 0 {
            core::hint::spin_loop();
        }
        ((lapic + REG_ICR_HIGH) as *mut u32).write_volatile(apic << 24);
        ((lapic + REG_ICR_LOW) as *mut u32).write_volatile(u32::from(IPI_VECTOR));
        <crate::X86_64 as ldex_core::sync::Interrupts>::restore(saved);
    }
}

/// Retire the IPI in service (the local APIC's EOI), so the next one can
/// be delivered. The trap dispatch calls it before the sink sees the IPI.
pub(crate) fn acknowledge_ipi() {
    let lapic = LAPIC.load(Ordering::Relaxed);
    // SAFETY: an IPI only arrives once `start_ap` has stored the local
    // APIC's address; writing EOI has no other effect.
    unsafe { ((lapic + REG_EOI) as *mut u32).write_volatile(0) };
}

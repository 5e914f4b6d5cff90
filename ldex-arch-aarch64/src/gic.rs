//! The GICv2 (QEMU `virt`'s default interrupt controller, and the
//! Raspberry Pi 4's GIC-400): just enough of it for the timer's PPI, the
//! inter-processor interrupt and a board's devices.
//!
//! The distributor (`GICD_*`) forwards interrupts to the CPU interface
//! (`GICC_*`), which raises the CPU's IRQ line. The IRQ slots of the trap
//! table read `GICC_IAR` (acknowledge: which interrupt, now active) and
//! write `GICC_EOIR` (end of interrupt) for the timer at once: the timer's
//! line is a level the kernel lowers by re-arming or disarming it before it
//! unmasks IRQs again, so ending the interrupt early loses nothing (see
//! `take`). Any other interrupt is the board's to end, through
//! [`end_of_interrupt`]. A board routes its devices' shared peripheral
//! interrupts (SPIs, ids 32 and up) to this CPU with [`route_spi`] and
//! holds one back with [`set_enabled`]; which device sits on which SPI is
//! the board's to know.
//!
//! # One distributor, a CPU interface per CPU
//! The distributor is shared, but the registers of the interrupts private
//! to a CPU are banked: each CPU sees its own enable bits and priorities of
//! the SGIs (ids 0–15) and PPIs (16–31) at the same `GICD_*` addresses, and
//! its own `GICC_*` registers. The timer's PPI ([`VIRTUAL_TIMER`]) is one
//! such: each CPU's virtual timer raises the id 27 of its own interface.
//! So the boot CPU calls [`init`] (the distributor on, then its own half),
//! every other CPU [`init_cpu`] (its own half: the timer's PPI and
//! [`IPI`] enabled, its interface on). Each CPU also records its bit in
//! the distributor's CPU target lists, which [`crate::smp::send_ipi`] and
//! [`route_spi`] use (see [`crate::smp`]).
//!
//! The [`IPI`] (SGI 0) is acknowledged and ended at once, like the timer:
//! it carries nothing, and one sent again while the target handles the
//! first stays pending until the target unmasks IRQs. `GICC_IAR` of an SGI
//! names the sending CPU in bits 12:10, and `GICC_EOIR` must get that same
//! value back.
//!
//! GICv2 rather than GICv3: it is what `-machine virt` gives without
//! options, and its CPU interface is three MMIO registers, where GICv3's
//! needs the redistributor woken and its own system registers enabled.

use core::sync::atomic::{AtomicU8, AtomicUsize, Ordering};

use ldex_core::{BootToken, MAX_CPUS, TrapCause};

use crate::smp;

/// `GICD_CTLR`: the distributor forwards interrupts.
const GICD_CTLR: usize = 0x000;
/// `GICD_ISENABLER<n>`: set-enable bits, 32 interrupts per register.
const GICD_ISENABLER: usize = 0x100;
/// `GICD_ICENABLER<n>`: clear-enable bits, 32 interrupts per register.
const GICD_ICENABLER: usize = 0x180;
/// `GICD_ISPENDR<n>`: set-pending bits, 32 interrupts per register.
const GICD_ISPENDR: usize = 0x200;
/// `GICD_IPRIORITYR<n>`: one priority byte per interrupt.
const GICD_IPRIORITYR: usize = 0x400;
/// `GICD_ITARGETSR<n>`: one byte of target CPUs (a bit each) per interrupt.
/// The bytes of the SGIs and PPIs are read-only and banked: each reads as
/// the reading CPU's own bit.
const GICD_ITARGETSR: usize = 0x800;
/// `GICD_SGIR`: writing it sends a software-generated interrupt.
const GICD_SGIR: usize = 0xf00;
/// `GICD_SGIR.CPUTargetList` (bits 23:16); `TargetListFilter` (25:24) = 0
/// sends to the CPUs of the list.
const SGIR_TARGET_SHIFT: u32 = 16;
/// `GICC_CTLR`: the CPU interface signals interrupts.
const GICC_CTLR: usize = 0x000;
/// `GICC_PMR`: the priority mask (only priorities below it are signalled).
const GICC_PMR: usize = 0x004;
/// `GICC_IAR`: reading acknowledges the highest pending interrupt.
const GICC_IAR: usize = 0x00c;
/// `GICC_EOIR`: writing the interrupt's id ends it.
const GICC_EOIR: usize = 0x010;
/// `GICC_IAR.InterruptID`: bits 9:0 (an SGI's sender is in 12:10).
const IAR_ID: u32 = 0x3ff;

/// The id `GICC_IAR` returns when nothing is pending.
pub const SPURIOUS: u32 = 1023;
/// The EL1 virtual timer's PPI (PPI 11) as a GIC interrupt id.
pub const VIRTUAL_TIMER: u32 = 27;
/// The timer's priority (lower is more urgent).
pub const TIMER_PRIORITY: u8 = 0x80;
/// The inter-processor interrupt: software-generated interrupt 0.
pub const IPI: u32 = 0;
/// The IPI's priority: the timer's (neither needs to preempt the other).
pub const IPI_PRIORITY: u8 = TIMER_PRIORITY;
/// The first private peripheral interrupt's id (the SGIs are below it).
const FIRST_PPI: u32 = 16;
/// The first shared peripheral interrupt's id.
const FIRST_SPI: u32 = 32;

/// The distributor's and CPU interface's addresses, 0 before [`init`].
static DISTRIBUTOR: AtomicUsize = AtomicUsize::new(0);
static CPU_INTERFACE: AtomicUsize = AtomicUsize::new(0);
/// Each CPU id's bit in the CPU target lists (0: its interface is not up).
static TARGET_OF_CPU: [AtomicU8; MAX_CPUS] = [const { AtomicU8::new(0) }; MAX_CPUS];

fn reg(base: &AtomicUsize, offset: usize) -> *mut u32 {
    let base = base.load(Ordering::Relaxed);
    assert!(base != 0, "GIC used before gic::init");
    (base + offset) as *mut u32
}

/// Interrupt `id`'s byte in the distributor's byte-per-interrupt array at
/// `array` (priorities, targets).
fn byte(array: usize, id: u32) -> *mut u8 {
    reg(&DISTRIBUTOR, array)
        .cast::<u8>()
        .wrapping_add(id as usize)
}

/// Interrupt `id`'s bit in the distributor's bit-per-interrupt array at
/// `array` (set-enable, clear-enable, set-pending): the word and the bit.
fn bit(array: usize, id: u32) -> (*mut u32, u32) {
    (
        reg(&DISTRIBUTOR, array + 4 * (id / 32) as usize),
        1 << (id % 32),
    )
}

/// Turn the GIC on, on the boot CPU: the distributor enabled, then this
/// CPU's half ([`init_cpu`]). Interrupts stay masked at the CPU (`DAIF.I`)
/// until the kernel unmasks them.
///
/// # Safety
/// `distributor` and `cpu_interface` are the addresses at which the current
/// and every later address space maps the GICv2's two register frames
/// (`reg` of the device tree's `arm,cortex-a15-gic` node), as device memory.
pub unsafe fn init(token: &BootToken, distributor: usize, cpu_interface: usize) {
    DISTRIBUTOR.store(distributor, Ordering::Relaxed);
    CPU_INTERFACE.store(cpu_interface, Ordering::Relaxed);
    // SAFETY: the caller vouches for the frames; the distributor forwards
    // nothing yet that is enabled.
    unsafe { reg(&DISTRIBUTOR, GICD_CTLR).write_volatile(1) };
    init_cpu(token);
}

/// Turn this CPU's half of the GIC on (see the module docs): the timer's
/// PPI and the [`IPI`] enabled at their priorities in its banked
/// registers, every priority let through its CPU interface, and its
/// target-list bit recorded for its [`crate::smp`] CPU id, which must be
/// set. The boot CPU's [`init`] calls it; every other CPU calls it once,
/// after that, before it takes interrupts.
pub fn init_cpu(_token: &BootToken) {
    // SAFETY: `init` stored the frames' addresses (`reg` panics
    // otherwise); these writes reach only this CPU's banked registers and
    // enable interrupts the CPU still masks.
    let me = unsafe {
        byte(GICD_IPRIORITYR, VIRTUAL_TIMER).write_volatile(TIMER_PRIORITY);
        byte(GICD_IPRIORITYR, IPI).write_volatile(IPI_PRIORITY);
        reg(&CPU_INTERFACE, GICC_PMR).write_volatile(0xff);
        reg(&CPU_INTERFACE, GICC_CTLR).write_volatile(1);
        byte(GICD_ITARGETSR, IPI).read_volatile()
    };
    // A GIC built for one CPU reads its target bytes as zero (RAZ/WI):
    // that CPU is interface 0.
    let me = if me == 0 { 1 } else { me };
    TARGET_OF_CPU[smp::cpu_id()].store(me, Ordering::Release);
    set_enabled(VIRTUAL_TIMER, true);
    set_enabled(IPI, true);
}

/// This CPU's bit in the CPU target lists.
fn my_target() -> u8 {
    let me = TARGET_OF_CPU[smp::cpu_id()].load(Ordering::Relaxed);
    assert_ne!(me, 0, "GIC used on a CPU before gic::init_cpu");
    me
}

/// Send software-generated interrupt `sgi` to CPU `cpu`.
///
/// # Panics
/// If CPU `cpu` has not run [`init_cpu`], or `sgi` is not an SGI.
pub(crate) fn send_sgi(cpu: usize, sgi: u32) {
    assert!(sgi < FIRST_PPI, "{sgi} is not an SGI");
    let target = TARGET_OF_CPU[cpu].load(Ordering::Acquire);
    assert_ne!(target, 0, "CPU {cpu} has no GIC CPU interface up");
    // The target's bit in the list, filter 0 (the list only).
    let sgir = u32::from(target) << SGIR_TARGET_SHIFT | sgi;
    // SAFETY: a barrier only; then, `init` stored the distributor's
    // address, and a GICD_SGIR write only makes `sgi` pending on the CPUs
    // of the list.
    unsafe {
        // The crux: `send_ipi` is a release. GICD_SGIR is Device memory,
        // which a store to it may reach before the sender's earlier stores
        // to Normal memory (the pending-work word) are visible to the
        // target; the barrier orders them first.
        core::arch::asm!("dsb ishst", options(nostack, preserves_flags));
        reg(&DISTRIBUTOR, GICD_SGIR).write_volatile(sgir);
    }
}

/// An IRQ arrived: acknowledge it and say what it is. The timer's is
/// ended at once (its level stays up until the kernel re-arms or disarms
/// the timer, which it does before unmasking IRQs, so the GIC re-raises
/// nothing early), and so is the [`IPI`] (see the module docs); a device's
/// stays active until the board ends it with [`end_of_interrupt`].
/// [`SPURIOUS`] needs no end.
pub(crate) fn take() -> TrapCause {
    // SAFETY: `init` stored the CPU interface's address; reading IAR only
    // marks the interrupt active.
    let iar = unsafe { reg(&CPU_INTERFACE, GICC_IAR).read_volatile() };
    match iar & IAR_ID {
        VIRTUAL_TIMER => {
            end_of_interrupt(iar);
            TrapCause::Timer
        }
        // The whole IAR back: an SGI is ended with its sender's number.
        IPI => {
            end_of_interrupt(iar);
            TrapCause::Ipi
        }
        id => TrapCause::External(id),
    }
}

/// End interrupt `id`, which the trap entry reported as
/// [`TrapCause::External`] (for an SGI, `id` is the whole `GICC_IAR`
/// value, its sender included).
pub fn end_of_interrupt(id: u32) {
    // SAFETY: as in `take`; writing EOIR only ends an active interrupt.
    unsafe { reg(&CPU_INTERFACE, GICC_EOIR).write_volatile(id) };
}

/// Route shared peripheral interrupt `id` to the calling CPU (its
/// [`init_cpu`] done) at `priority` (lower is more urgent than higher;
/// [`TIMER_PRIORITY`] is the timer's) and enable it. Its trigger (level or edge) stays as the GIC reset it (level, on
/// QEMU `virt`). Once the CPU unmasks IRQs, the trap entry reports it as
/// [`TrapCause::External`]`(id)`, which the board must
/// [`end_of_interrupt`].
pub fn route_spi(id: u32, priority: u8) {
    assert!((FIRST_SPI..SPURIOUS).contains(&id), "{id} is not an SPI");
    let target = my_target();
    // SAFETY: `init` stored the distributor's address; these writes only
    // route and enable one interrupt.
    unsafe {
        byte(GICD_IPRIORITYR, id).write_volatile(priority);
        byte(GICD_ITARGETSR, id).write_volatile(target);
    }
    set_enabled(id, true);
}

/// Let interrupt `id` through the distributor (`true`) or hold it back
/// (`false`): a held interrupt stays pending while its device keeps its
/// line raised, and is delivered once enabled again.
pub fn set_enabled(id: u32, on: bool) {
    let (word, mask) = bit(if on { GICD_ISENABLER } else { GICD_ICENABLER }, id);
    // SAFETY: `init` stored the distributor's address; a set- or
    // clear-enable write changes only `id`'s bit.
    unsafe { word.write_volatile(mask) };
}

/// Make interrupt `id` pending as if its device had raised it (the
/// distributor's set-pending bit): for a test that needs a device that
/// never stops interrupting.
pub fn set_pending(id: u32) {
    let (word, mask) = bit(GICD_ISPENDR, id);
    // SAFETY: `init` stored the distributor's address; a set-pending write
    // changes only `id`'s bit.
    unsafe { word.write_volatile(mask) };
}

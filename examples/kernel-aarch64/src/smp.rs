//! The other CPUs: started through PSCI `CPU_ON`, each brought up to where
//! it can take traps and ticks of its own.
//!
//! # Who is which CPU, and when
//! QEMU enters the kernel on one CPU; the others wait powered off until
//! PSCI starts them. That CPU is CPU 0. Boot code records the device
//! tree's `/cpus` nodes, whose `reg` is each CPU's MPIDR affinity
//! ([`prepare`]; `kernel_common::devicetree` reads them as it reads
//! RISC-V's hart ids); the boot driver calls [`start_cpus`] once the kernel
//! is booted and the first programs are processes, just before CPU 0
//! enters the scheduler loop, so every other CPU can go straight into it.
//! The others get CPU ids 1, 2, ... in device-tree order, at most
//! [`MAX_CPUS`] in all, and start one at a time: CPU 0 waits for each to
//! report before it starts the next, so their boot lines come in order. A
//! CPU that has not arrived [`START_TIMEOUT_SECS`] after `CPU_ON` is named
//! in a `[kernel]` line and left out, and no more are started
//! (`kernel_common::cpu_start`: if it arrives later, it parks).
//!
//! # PSCI `CPU_ON`
//! `CPU_ON` (SMC64 function id `0xC400_0003`) takes the target's MPIDR
//! affinity, the physical address to enter and a context id, which the new
//! CPU finds in `x0`. The conduit is `hvc #0`, as for `SYSTEM_OFF`
//! (`board.rs`): QEMU plays the firmware at EL2, the device tree's `/psci`
//! says `method = "hvc"`. The call goes through the `smccc` crate's
//! `psci::cpu_on`, which makes exactly that call and decodes PSCI's error
//! codes.
//!
//! # A secondary CPU's way in ([`secondary_start`], then [`secondary_main`])
//! 1. PSCI enters `secondary_start` at EL1 (the caller's level), MMU and
//!    caches off, `DAIF` masked, `x0` = the context id: its CPU id.
//! 2. `sp` = the top of that CPU's stack in [`STACKS`] (stack `cpu - 1`:
//!    CPU 0 keeps the boot stack), then Rust. The lowest page of each
//!    slot is an unmapped guard ([`guard_pages`]), as under the boot
//!    stack: an overflow faults there and the trap entry reports it from
//!    the CPU's emergency stack.
//! 3. `TPIDR_EL1` = the CPU id ([`smp::set_cpu_id`]), before anything
//!    reads it.
//! 4. The MMU on with the kernel's address space (the same page tables CPU
//!    0 built: it maps this code at its physical address, so the MMU turns
//!    on under it), and from then on the devices at their alias.
//! 5. Claim its start (`Handshake::claim`, an exclusive access, which
//!    wants normal memory: hence after the MMU), or park if CPU 0 gave up.
//!    Until here it has changed only its own registers.
//! 6. Its own setup ([`crate::cpu::setup`]: EL0 lockdown, PAN, the
//!    instruction counter), its GIC CPU interface ([`gic::init_cpu`]: the
//!    banked timer PPI and IPI), its virtual timer.
//! 7. Report online, then `Kernel::boot_secondary` (the trap table:
//!    `VBAR_EL1`; its timer started) and the scheduler loop, where it waits
//!    for interrupts with `wfi` when nothing is runnable.
//!
//! Until step 4 the CPU runs with its MMU off, so its data accesses are
//! Device-nGnRnE and bypass the caches: it reads only [`KERNEL_TTBR0`] and
//! writes only its stack. QEMU models no caches; a board on real hardware
//! would clean those lines to the point of coherency before `CPU_ON`.

use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use kernel_common::console::print;
use kernel_common::cpu_start::Handshake;
use kernel_common::devicetree::Harts;
use kernel_common::driver;
use ldex_arch_aarch64::{Timer, Ttbr0, gic, smp, timer};
use ldex_core::{BootToken, MAX_CPUS};

use crate::board::Uart;
use crate::vm::{self, AddressSpace, PAGE};

/// Bytes of each secondary CPU's stack (its scheduler's), above its guard
/// page.
const STACK_SIZE: usize = 64 * 1024;
/// Bytes of each stack's slot in [`STACKS`]: the guard page, then the
/// stack.
const SLOT: usize = PAGE + STACK_SIZE;
/// How long CPU 0 waits for a started CPU to arrive.
const START_TIMEOUT_SECS: u64 = 1;

/// Page-aligned, so that each slot's guard page is whole.
#[repr(C, align(4096))]
struct Stacks([[u8; SLOT]; MAX_CPUS - 1]);

/// The secondary CPUs' stacks, CPU `c`'s in slot `c - 1`, each above its
/// guard page. Only reached through `sp` by the CPU that owns it (all
/// zero: in `.bss`).
static mut STACKS: Stacks = Stacks([[0; SLOT]; MAX_CPUS - 1]);

/// What CPU 0 hands the others: the kernel's `TTBR0_EL1`.
static KERNEL_TTBR0: AtomicU64 = AtomicU64::new(0);
/// The counter's frequency, for [`start_cpus`]'s deadline.
static COUNTER_HZ: AtomicU64 = AtomicU64::new(0);
/// The MPIDR affinities to start ([`prepare`]): `CPUS[..CPU_COUNT]`, CPU
/// 0's left out.
static CPUS: [AtomicU64; MAX_CPUS] = [const { AtomicU64::new(0) }; MAX_CPUS];
static CPU_COUNT: AtomicUsize = AtomicUsize::new(0);
/// The start under way: CPU 0's side in [`start_cpus`], the started
/// CPU's in [`secondary_main`].
static HANDSHAKE: Handshake = Handshake::new();

core::arch::global_asm!(
    ".pushsection .text.secondary, \"ax\"",
    ".globl secondary_start",
    ".p2align 2",
    "secondary_start:",
    // x0 = the CPU id (PSCI's context id).
    "    adrp x9, {stacks}",
    "    add x9, x9, :lo12:{stacks}",
    // x10 = SLOT (more than a 16-bit immediate: a guard page plus 64 KiB).
    "    movz x10, #{size_lo}",
    "    movk x10, #{size_hi}, lsl #16",
    // The crux: sp = STACKS + cpu * SLOT, the top of stack cpu - 1.
    "    madd x9, x0, x10, x9",
    "    mov sp, x9",
    "    bl {main}",
    "1:  wfi",
    "    b 1b",
    ".popsection",
    stacks = sym STACKS,
    size_lo = const SLOT & 0xffff,
    size_hi = const SLOT >> 16,
    main = sym secondary_main,
);

unsafe extern "C" {
    fn secondary_start();
}

/// The guard page of each secondary CPU's stack, which the kernel's
/// address space leaves unmapped.
pub fn guard_pages() -> impl Iterator<Item = usize> {
    let base = (&raw const STACKS) as usize;
    (0..MAX_CPUS - 1).map(move |slot| base + slot * SLOT)
}

/// Remember what [`start_cpus`] needs: the device tree's `cpus` (MPIDR
/// affinities) but the caller's own (CPU 0), the kernel's address space
/// and the counter's `counter_hz`.
pub fn prepare(cpus: &Harts, kspace: &AddressSpace, counter_hz: u64) {
    KERNEL_TTBR0.store(kspace.ttbr0().bits(), Ordering::Relaxed);
    COUNTER_HZ.store(counter_hz, Ordering::Relaxed);
    let me = smp::affinity();
    let others = cpus.ids().iter().filter(|&&a| a as u64 != me);
    for (slot, &affinity) in CPUS.iter().zip(others) {
        slot.store(affinity as u64, Ordering::Relaxed);
        CPU_COUNT.fetch_add(1, Ordering::Relaxed);
    }
}

/// The boot driver's `start_cpus`: start the CPUs [`prepare`] recorded,
/// one at a time, and say how many CPUs are online.
pub fn start_cpus() {
    let hz = COUNTER_HZ.load(Ordering::Relaxed);
    let mut next = 1;
    for slot in &CPUS[..CPU_COUNT.load(Ordering::Relaxed)] {
        if next == MAX_CPUS {
            break;
        }
        let affinity = slot.load(Ordering::Relaxed);
        HANDSHAKE.expect(next);
        let entry = secondary_start as *const () as u64;
        // `secondary_start` expects PSCI's entry state and gives the CPU
        // stack `next - 1` and CPU id `next`, both its own: `next` grows by
        // one per started CPU. The kernel runs identity-mapped, so the
        // symbol's address is the physical one PSCI wants.
        match smccc::psci::cpu_on::<smccc::Hvc>(affinity, entry, next as u64) {
            Ok(()) => {
                // Wait for its report, so the boot lines come in order.
                let deadline = timer::now().saturating_add(hz * START_TIMEOUT_SECS);
                if HANDSHAKE.wait(next, timer::now, deadline).is_err() {
                    print(
                        &Uart,
                        format_args!(
                            "[kernel] cpu {next} (MPIDR affinity {affinity:#x}) did not report in {START_TIMEOUT_SECS} s after CPU_ON: going on without it\n"
                        ),
                    );
                    break;
                }
                next += 1;
            }
            Err(e) => print(
                &Uart,
                format_args!("[kernel] CPU {affinity:#x} not started: PSCI {e}\n"),
            ),
        }
    }
    print(&Uart, format_args!("[kernel] CPUs online: {next}\n"));
}

/// A secondary CPU in Rust (see the module docs), on its own stack.
extern "C" fn secondary_main(cpu: usize) -> ! {
    // The `cpu-no-show-test` build: CPU 1 never arrives, like a CPU stuck
    // in the firmware.
    #[cfg(feature = "cpu-no-show-test")]
    if cpu == 1 {
        park();
    }
    // SAFETY: boot code of this CPU, which no other CPU runs.
    let token = unsafe { BootToken::new() };
    // SAFETY: CPU ids are handed out once each by `start_cpus`.
    unsafe { smp::set_cpu_id(&token, cpu) };
    // SAFETY: CPU 0 stored the ttbr0 of the kernel's space before it
    // started this CPU; that space maps the kernel as every space does.
    let kspace =
        AddressSpace::from_ttbr0(unsafe { Ttbr0::new(KERNEL_TTBR0.load(Ordering::Relaxed)) });
    // SAFETY: this CPU's MMU is off; the kernel space maps all of RAM (this
    // code, its stack) at its physical address, and the devices at the
    // alias `board::MMIO` already gives.
    unsafe { vm::enable(&kspace) };
    if !HANDSHAKE.claim(cpu) {
        park();
    }
    crate::cpu::setup(&token);
    gic::init_cpu(&token);
    let timer = Timer::new(&token);
    print(
        &Uart,
        format_args!(
            "[kernel] cpu {cpu} up: MPIDR affinity {:#x}\n",
            smp::affinity()
        ),
    );
    HANDSHAKE.report();
    driver::run_secondary(&crate::KERNEL, &token, timer, &Uart)
}

/// A CPU that CPU 0 gave up on: wait with interrupts masked (as PSCI
/// started it) for good, on its own stack, which no other CPU is given.
fn park() -> ! {
    loop {
        // SAFETY: only waits; with DAIF masked nothing runs after it.
        unsafe { core::arch::asm!("wfi", options(nomem, nostack)) };
    }
}

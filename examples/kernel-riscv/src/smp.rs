//! The other harts: started through SBI HSM, each brought up to where it
//! can take traps and ticks of its own.
//!
//! # Who is which CPU, and when
//! The firmware boots the kernel on one hart (not always hart 0: OpenSBI
//! holds a lottery); that hart is CPU 0. Boot code records the device
//! tree's harts ([`prepare`]); the boot driver calls [`start_cpus`] once the
//! kernel is booted and the first programs are processes, just before CPU
//! 0 enters the scheduler loop, so every other hart can go straight into
//! it. The other harts get CPU ids 1, 2, ... in device-tree order, at most
//! [`MAX_CPUS`] in all, and start one at a time: CPU 0 waits for each to
//! report before it starts the next, so their boot lines come in order. A
//! hart that has not arrived [`START_TIMEOUT_SECS`] after `hart_start` is
//! named in a `[kernel]` line and left out, and no more are started
//! (`kernel_common::cpu_start`: if it arrives later, it parks).
//!
//! # A secondary hart's way in ([`secondary_start`], then [`secondary_main`])
//! 1. The firmware enters `secondary_start` in S-mode, paging off,
//!    interrupts off, `a0` = hart id, `a1` = the CPU id it was started with.
//! 2. `sp` = the top of that CPU's stack in [`STACKS`] (stack `cpu - 1`:
//!    CPU 0 keeps the boot stack), then Rust. The lowest page of each
//!    stack is an unmapped guard ([`guard_pages`]), as under the boot
//!    stack: an overflow faults there and the trap entry reports it from
//!    the hart's emergency stack.
//! 3. Claim its start (`Handshake::claim`), or park if CPU 0 gave up.
//! 4. `tp` = the CPU id ([`smp::set_cpu_id`]), before anything reads it.
//! 5. `satp` = the kernel's address space (the same one CPU 0 built; it
//!    maps this code at the same address, so paging turns on under it).
//! 6. Its timer (the Sstc probe, `sie.STIE`), per hart.
//! 7. Report online, then `Kernel::boot_secondary` (the trap table:
//!    `stvec`, `sscratch` = 0, `sie.SSIE`; its timer started) and the
//!    scheduler loop, where it waits for interrupts with `wfi` when nothing
//!    is runnable.

use core::sync::atomic::{AtomicUsize, Ordering};

use kernel_common::console::print;
use kernel_common::cpu_start::Handshake;
use kernel_common::driver;
use ldex_arch_riscv::smp;
use ldex_arch_riscv::{Timer, TimerKind, timer};
use ldex_core::BootToken;
use ldex_core::MAX_CPUS;

use crate::board::Uart;
use crate::vm::PAGE;
use kernel_common::devicetree::Harts;

/// Bytes of each secondary CPU's stack (its scheduler's), above its guard
/// page.
const STACK_SIZE: usize = 64 * 1024;
/// Bytes of each stack's slot in [`STACKS`]: the guard page, then the
/// stack.
const SLOT: usize = PAGE + STACK_SIZE;
/// How long CPU 0 waits for a started hart to arrive.
const START_TIMEOUT_SECS: u64 = 1;

/// Page-aligned, so that each slot's guard page is whole.
#[repr(C, align(4096))]
struct Stacks([[u8; SLOT]; MAX_CPUS - 1]);

/// The secondary CPUs' stacks, CPU `c`'s in slot `c - 1`, each above its
/// guard page. Only reached through `sp` by the hart that owns it (all
/// zero: in `.bss`).
static mut STACKS: Stacks = Stacks([[0; SLOT]; MAX_CPUS - 1]);

/// What CPU 0 hands the others: the kernel's `satp`, the timebase.
static KERNEL_SATP: AtomicUsize = AtomicUsize::new(0);
static TIMEBASE_HZ: AtomicUsize = AtomicUsize::new(0);
/// The harts to start ([`prepare`]): `HARTS[..HART_COUNT]`, CPU 0's left
/// out.
static HARTS: [AtomicUsize; MAX_CPUS] = [const { AtomicUsize::new(0) }; MAX_CPUS];
static HART_COUNT: AtomicUsize = AtomicUsize::new(0);
/// The start under way: CPU 0's side in [`start_cpus`], the hart's in
/// [`secondary_main`].
static HANDSHAKE: Handshake = Handshake::new();
/// The CPU id of the hart being started, for a hart that arrives at
/// `_start` instead of `secondary_start` (see [`crate::boot`]).
#[unsafe(no_mangle)]
static PENDING_CPU: AtomicUsize = AtomicUsize::new(0);

/// The XLEN-sized load.
#[cfg(target_arch = "riscv64")]
macro_rules! cfg_select_load {
    () => {
        "ld"
    };
}
/// The XLEN-sized load.
#[cfg(target_arch = "riscv32")]
macro_rules! cfg_select_load {
    () => {
        "lw"
    };
}

core::arch::global_asm!(
    ".pushsection .text.secondary, \"ax\"",
    // A hart the firmware sent to `_start` while starting it (see
    // `crate::boot`): its CPU id is the one being started.
    ".globl secondary_late_start",
    "secondary_late_start:",
    "    lla t0, {pending}",
    concat!("    ", cfg_select_load!(), " a1, 0(t0)"),
    "    fence r, rw",
    ".globl secondary_start",
    ".p2align 2",
    "secondary_start:",
    // sp = STACKS + cpu * SLOT, the top of stack cpu - 1, by adding
    // (rv32imac and rv64gc agree on no multiply in global asm).
    "    la sp, {stacks}",
    "    li t0, {size}",
    "    mv t1, a1",
    "2:  add sp, sp, t0",
    "    addi t1, t1, -1",
    "    bnez t1, 2b",
    "    call {main}",
    "1:  wfi",
    "    j 1b",
    ".popsection",
    stacks = sym STACKS,
    pending = sym PENDING_CPU,
    size = const SLOT,
    main = sym secondary_main,
);

unsafe extern "C" {
    fn secondary_start();
    /// `secondary_start` for a hart that arrived at `_start`.
    pub(crate) fn secondary_late_start();
}

/// The guard page of each secondary CPU's stack, which the kernel's
/// address space leaves unmapped.
pub fn guard_pages() -> impl Iterator<Item = usize> {
    let base = (&raw const STACKS) as usize;
    (0..MAX_CPUS - 1).map(move |slot| base + slot * SLOT)
}

/// Remember what [`start_cpus`] needs: the device tree's `harts` but
/// `boot_hart` (CPU 0, the caller), the kernel address space `satp`, the
/// timer's `timebase_hz`.
pub fn prepare(harts: &Harts, boot_hart: usize, satp: usize, timebase_hz: u64) {
    KERNEL_SATP.store(satp, Ordering::Relaxed);
    TIMEBASE_HZ.store(
        usize::try_from(timebase_hz).unwrap_or(usize::MAX),
        Ordering::Relaxed,
    );
    let others = harts.ids().iter().filter(|&&h| h != boot_hart);
    for (slot, &hart) in HARTS.iter().zip(others) {
        slot.store(hart, Ordering::Relaxed);
        HART_COUNT.fetch_add(1, Ordering::Relaxed);
    }
}

/// The boot driver's `start_cpus`: start the harts [`prepare`] recorded,
/// one at a time, and say how many CPUs are online.
pub fn start_cpus() {
    // SAFETY: the boot driver's hook runs once, on CPU 0, in boot code.
    let token = unsafe { BootToken::new() };
    let mut next = 1;
    for slot in &HARTS[..HART_COUNT.load(Ordering::Relaxed)] {
        if next == MAX_CPUS {
            break;
        }
        let hart = slot.load(Ordering::Relaxed);
        HANDSHAKE.expect(next);
        PENDING_CPU.store(next, Ordering::Release);
        let entry = secondary_start as *const () as usize;
        // SAFETY: `secondary_start` expects the HSM start state and gives
        // the hart stack `next - 1` and CPU id `next`, both its own: `next`
        // grows by one per started hart.
        let started = unsafe { smp::start_hart(&token, hart, entry, next) };
        match started {
            Ok(()) => {
                // Wait for its report, so the boot lines come in order.
                let hz = TIMEBASE_HZ.load(Ordering::Relaxed) as u64;
                let deadline = timer::now().saturating_add(hz * START_TIMEOUT_SECS);
                if HANDSHAKE.wait(next, timer::now, deadline).is_err() {
                    print(
                        &Uart,
                        format_args!(
                            "[kernel] cpu {next} (hart {hart}) did not report in {START_TIMEOUT_SECS} s after hart_start: going on without it\n"
                        ),
                    );
                    break;
                }
                next += 1;
            }
            Err(e) => print(
                &Uart,
                format_args!("[kernel] hart {hart} not started: SBI error {}\n", e.0),
            ),
        }
    }
    print(&Uart, format_args!("[kernel] CPUs online: {next}\n"));
}

/// A secondary hart in Rust (see the module docs), on its own stack.
extern "C" fn secondary_main(hart: usize, cpu: usize) -> ! {
    // The `cpu-no-show-test` build: CPU 1 never arrives, like a hart stuck in the firmware.
    #[cfg(feature = "cpu-no-show-test")]
    if cpu == 1 {
        park();
    }
    if !HANDSHAKE.claim(cpu) {
        park();
    }
    // SAFETY: boot code of this hart, which no other hart runs.
    let token = unsafe { BootToken::new() };
    // SAFETY: CPU ids are handed out once each by `start_others`.
    unsafe { smp::set_cpu_id(&token, cpu, hart) };
    // SAFETY: the kernel space maps all of RAM at its physical address, so
    // this code and its stack stay where they are once paging is on.
    unsafe {
        core::arch::asm!("csrw satp, {}", "sfence.vma", in(reg) KERNEL_SATP.load(Ordering::Relaxed));
        core::arch::asm!("csrw scounteren, {}", in(reg) 0b111);
    }
    let timer = Timer::new(&token, TIMEBASE_HZ.load(Ordering::Relaxed) as u64);
    let kind = match timer.kind() {
        TimerKind::Sstc => "Sstc stimecmp",
        TimerKind::Sbi => "SBI set_timer",
    };
    print(
        &Uart,
        format_args!("[kernel] cpu {cpu} up: hart {hart}, timer: {kind}\n"),
    );
    HANDSHAKE.report();
    driver::run_secondary(&crate::KERNEL, &token, timer, &Uart)
}

/// A hart CPU 0 gave up on: wait with interrupts off (as the firmware
/// started it) for good, on its own stack, which no other CPU is given.
fn park() -> ! {
    loop {
        // SAFETY: only waits; with interrupts off nothing runs after it.
        unsafe { core::arch::asm!("wfi", options(nomem, nostack)) };
    }
}

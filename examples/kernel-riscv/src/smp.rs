//! The other harts: started through SBI HSM, each brought up to where it
//! can take traps and ticks of its own.
//!
//! # Who is which CPU
//! The firmware boots the kernel on one hart (not always hart 0: OpenSBI
//! holds a lottery); that hart is CPU 0. [`start_others`] gives the other
//! harts of the device tree CPU ids 1, 2, ... in device-tree order, at most
//! [`MAX_CPUS`] in all, and starts them one at a time, waiting for each to
//! report before it starts the next, so their boot lines come in order.
//!
//! # A secondary hart's way in ([`secondary_start`], then [`secondary_main`])
//! 1. The firmware enters `secondary_start` in S-mode, paging off,
//!    interrupts off, `a0` = hart id, `a1` = the CPU id it was started with.
//! 2. `sp` = the top of that CPU's stack in [`STACKS`] (stack `cpu - 1`:
//!    CPU 0 keeps the boot stack), then Rust.
//! 3. `tp` = the CPU id ([`smp::set_cpu_id`]), before anything reads it.
//! 4. `satp` = the kernel's address space (the same one CPU 0 built; it
//!    maps this code at the same address, so paging turns on under it).
//! 5. The trap table (`stvec`, `sscratch` = 0) and the timer (Sstc probe,
//!    `sie.STIE`), both per hart.
//! 6. Report online, then wait for interrupts with `wfi`, never spinning.

use core::sync::atomic::{AtomicUsize, Ordering};

use kernel_common::console::print;
use ldex_arch_riscv::smp;
use ldex_arch_riscv::{Riscv, Timer, TimerKind};
use ldex_core::percpu::MAX_CPUS;
use ldex_core::{Arch, BootToken, TrapTable as _};

use crate::board::Uart;
use crate::dtb::Harts;

/// Bytes of each secondary CPU's stack (its scheduler's).
const STACK_SIZE: usize = 64 * 1024;

#[repr(C, align(16))]
struct Stacks([[u8; STACK_SIZE]; MAX_CPUS - 1]);

/// The secondary CPUs' stacks, CPU `c`'s at index `c - 1`. Only reached
/// through `sp` by the hart that owns it (all zero: in `.bss`).
static mut STACKS: Stacks = Stacks([[0; STACK_SIZE]; MAX_CPUS - 1]);

/// What CPU 0 hands the others: the kernel's `satp`, the timebase.
static KERNEL_SATP: AtomicUsize = AtomicUsize::new(0);
static TIMEBASE_HZ: AtomicUsize = AtomicUsize::new(0);
/// CPUs that have finished [`secondary_main`]'s bring-up (CPU 0 counts).
static ONLINE: AtomicUsize = AtomicUsize::new(1);

core::arch::global_asm!(
    ".pushsection .text.secondary, \"ax\"",
    ".globl secondary_start",
    ".p2align 2",
    "secondary_start:",
    // sp = STACKS + cpu * STACK_SIZE, the top of stack cpu - 1, by adding
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
    size = const STACK_SIZE,
    main = sym secondary_main,
);

unsafe extern "C" {
    fn secondary_start();
}

/// Start every hart of `harts` but `boot_hart` (CPU 0, the caller), in the
/// kernel address space `satp`, with the timer at `timebase_hz`. Returns
/// how many CPUs are online, CPU 0 included.
pub fn start_others(token: &BootToken, harts: &Harts, boot_hart: usize, satp: usize, timebase_hz: u64) -> usize {
    KERNEL_SATP.store(satp, Ordering::Relaxed);
    TIMEBASE_HZ.store(usize::try_from(timebase_hz).unwrap_or(usize::MAX), Ordering::Relaxed);
    let mut next = 1;
    for &hart in harts.ids().iter().filter(|&&h| h != boot_hart) {
        if next == MAX_CPUS {
            break;
        }
        // SAFETY: `secondary_start` expects the HSM start state and gives
        // the hart stack `next - 1` and CPU id `next`, both its own: `next`
        // grows by one per started hart.
        let started = unsafe { smp::start_hart(token, hart, secondary_start as *const () as usize, next) };
        match started {
            Ok(()) => {
                next += 1;
                // Wait for its report, so the boot lines come in order.
                while ONLINE.load(Ordering::Acquire) < next {
                    core::hint::spin_loop();
                }
            }
            Err(e) => print(
                &Uart,
                format_args!("[kernel] hart {hart} not started: SBI error {}\n", e.0),
            ),
        }
    }
    next
}

/// A secondary hart in Rust (see the module docs), on its own stack.
extern "C" fn secondary_main(hart: usize, cpu: usize) -> ! {
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
    <Riscv as Arch>::TrapTable::install(&token, &crate::KERNEL);
    let timer = Timer::new(&token, TIMEBASE_HZ.load(Ordering::Relaxed) as u64);
    let kind = match timer.kind() {
        TimerKind::Sstc => "Sstc stimecmp",
        TimerKind::Sbi => "SBI set_timer",
    };
    print(
        &Uart,
        format_args!("[kernel] cpu {cpu} up: hart {hart}, trap table, timer: {kind}\n"),
    );
    ONLINE.fetch_add(1, Ordering::Release);
    loop {
        Riscv::wait_for_interrupt();
    }
}

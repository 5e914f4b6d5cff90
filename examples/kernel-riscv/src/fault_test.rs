//! Test builds that break the kernel on purpose. `cargo xtask test` boots
//! each and expects a diagnosis and a failure exit (1), never a hang:
//!
//! * `kernel-fault-test`: once the trap table is up, a read of an unmapped
//!   address. The fault reaches ldex-core as a kernel-mode trap, which
//!   panics with the cause and the frame.
//! * `kernel-stack-overflow-test`: the first console write, inside the
//!   `write` system call of the first process (`hello`), recurses without
//!   bound on that process's kernel stack, down into its unmapped guard
//!   page (`guard_pages` in `main.rs`). ldex-arch-riscv's trap entry sees a
//!   page fault right above sp and reports it from its emergency stack.
//! * `secondary-stack-overflow-test` (booted on two harts): CPU 1, once
//!   its trap table is up, recurses without bound on its scheduler stack
//!   (`crate::smp`'s), down into the unmapped guard page under it. The
//!   trap entry reports it from CPU 1's emergency stack, as for CPU 0.
//! * `sum-test`: the first system call that names a user buffer reads it
//!   while only checking it, outside `with_user_access`: `sstatus.SUM` is
//!   clear there, so the read faults in S-mode and the kernel panics.
//! * `wx-test`: once the trap table is up, a write to the kernel's own
//!   text, which `vm.rs` maps read and execute only.
//! * `return-window-test`: ldex-arch-riscv's `return-window-test` puts an
//!   `ebreak` in the return-to-user window; the first return to user mode
//!   traps there and the trap entry must diagnose it (no code here).

#[cfg(any(
    feature = "kernel-fault-test",
    feature = "kernel-stack-overflow-test",
    feature = "secondary-stack-overflow-test",
    feature = "sum-test",
    feature = "wx-test"
))]
use crate::board::Uart;

/// Once a CPU's trap table is up (on every CPU): the boot-time tests.
pub fn after_boot() {
    #[cfg(feature = "secondary-stack-overflow-test")]
    kernel_common::fault_test::overflow_secondary_stack(&Uart, ldex_arch_riscv::smp::cpu_id());
    #[cfg(feature = "kernel-fault-test")]
    kernel_common::fault_test::read_unmapped(&Uart);
    #[cfg(feature = "wx-test")]
    kernel_common::fault_test::write_own_text(&Uart, after_boot as *const () as usize);
}

/// In the panic handler of the `secondary-stack-overflow-test` build:
/// judge the fault (`stval`, which nothing has changed since the
/// trap) against this CPU's own guard page.
#[cfg(feature = "secondary-stack-overflow-test")]
pub fn judge_secondary_overflow() {
    let cpu = ldex_arch_riscv::smp::cpu_id();
    let guard = cpu
        .checked_sub(1)
        .and_then(|slot| crate::smp::guard_pages().nth(slot));
    let addr: usize;
    // SAFETY: reading the fault address has no side effect.
    unsafe { core::arch::asm!("csrr {}, stval", out(reg) addr, options(nomem, nostack)) };
    kernel_common::fault_test::judge_guard(&Uart, cpu, addr, guard, crate::vm::PAGE);
}

/// In a system call that writes to the console.
#[cfg(feature = "kernel-stack-overflow-test")]
pub fn in_console_write() {
    let pid = crate::kernel::KERNEL.current().map(|p| p.get());
    kernel_common::fault_test::overflow_kernel_stack(&Uart, pid);
}

/// While checking a user range, before `with_user_access`: read it as a
/// buggy kernel would.
#[cfg(feature = "sum-test")]
pub fn touch_user_outside_accessor(addr: usize) {
    kernel_common::console::print(
        &Uart,
        format_args!("[kernel] sum-test: reading user {addr:#x} outside with_user_access\n"),
    );
    // SAFETY: deliberately not: with SUM clear the read must fault.
    let _ = unsafe { core::ptr::read_volatile(addr as *const u8) };
}

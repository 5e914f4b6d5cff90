//! Test builds that break the kernel on purpose. `cargo xtask test` boots
//! each and expects a diagnosis and a failure exit (1), never a hang:
//!
//! * `kernel-fault-test`: once the trap table is up, a read of an unmapped
//!   address. The data abort reaches ldex-core as a kernel-mode trap,
//!   which panics with the cause and the frame.
//! * `kernel-stack-overflow-test`: the first console write, inside the
//!   `write` system call of the first process (`hello`), recurses without
//!   bound on that process's kernel stack, down into its unmapped guard
//!   page (`guard_pages` in `main.rs`). ldex-arch-aarch64's EL1 slot sees a
//!   data abort less than a page from sp and reports it from its
//!   emergency stack.
//! * `secondary-stack-overflow-test` (booted on two CPUs): CPU 1, once its
//!   trap table is up, recurses without bound on its scheduler stack
//!   (`crate::smp`'s), down into the unmapped guard page under it, reported
//!   from CPU 1's emergency stack, as for CPU 0.
//! * `wx-test`: once the trap table is up, a write to the kernel's own
//!   text, which `vm.rs` maps read-only.

#[cfg(any(
    feature = "kernel-fault-test",
    feature = "kernel-stack-overflow-test",
    feature = "secondary-stack-overflow-test",
    feature = "wx-test"
))]
use crate::board::Uart;

/// Once a CPU's trap table is up (on every CPU): the boot-time tests.
pub fn after_boot() {
    #[cfg(feature = "secondary-stack-overflow-test")]
    kernel_common::fault_test::overflow_secondary_stack(&Uart, ldex_arch_aarch64::smp::cpu_id());
    #[cfg(feature = "kernel-fault-test")]
    kernel_common::fault_test::read_unmapped(&Uart);
    #[cfg(feature = "wx-test")]
    kernel_common::fault_test::write_own_text(&Uart, after_boot as *const () as usize);
}

/// In the panic handler of the `secondary-stack-overflow-test` build:
/// judge the fault (`FAR_EL1`, which nothing has changed since the
/// abort) against this CPU's own guard page.
#[cfg(feature = "secondary-stack-overflow-test")]
pub fn judge_secondary_overflow() {
    let cpu = ldex_arch_aarch64::smp::cpu_id();
    let guard = cpu
        .checked_sub(1)
        .and_then(|slot| crate::smp::guard_pages().nth(slot));
    let addr: usize;
    // SAFETY: reading the fault address has no side effect.
    unsafe { core::arch::asm!("mrs {}, far_el1", out(reg) addr, options(nomem, nostack)) };
    kernel_common::fault_test::judge_guard(&Uart, cpu, addr, guard, crate::vm::PAGE);
}

/// In a system call that writes to the console.
#[cfg(feature = "kernel-stack-overflow-test")]
pub fn in_console_write() {
    let pid = crate::kernel::KERNEL.current().map(|p| p.get());
    kernel_common::fault_test::overflow_kernel_stack(&Uart, pid);
}

//! Test builds that break the kernel on purpose (`cargo xtask test` boots
//! both and expects a register dump and a failure exit, not a hang):
//!
//! * `kernel-fault-test`: right after `Kernel::boot` has installed the trap
//!   table, a ring-0 read of an unmapped address. The page fault reaches
//!   ldex-core as a kernel-mode trap, which panics with the cause (CR2 in
//!   it) and the frame; the panic handler exits QEMU.
//! * `kernel-stack-overflow-test`: the first console write, i.e. inside
//!   the `write` system call of the first process (`hello`), recurses
//!   without bound on that process's kernel stack, down into the unmapped
//!   guard page at its bottom (`guard_pages` in `main.rs`). The CPU cannot
//!   push the page fault's frame onto the same stack and raises a double
//!   fault, which the IDT sends to the IST1 stack; ldex-arch-x86_64 reports
//!   it from there without touching the broken stack.
//! * `secondary-stack-overflow-test` (booted on two CPUs): the AP, once
//!   its trap table is up, recurses without bound on its scheduler stack
//!   (`crate::smp`'s), down into the unmapped guard page under it: a
//!   double fault on the AP's own IST1 stack, reported as for CPU 0.
//! * `ist-overflow-test`: once the trap table is up, boot code moves to
//!   the top of the IST2 (NMI) stack and recurses there without bound, down
//!   into that stack's unmapped guard page (`gdt::ist_guard_pages`). As
//!   for a kernel stack, the page fault cannot be pushed and the double
//!   fault is reported from a fresh IST1 stack, rsp and CR2 in the guard.
//! * `wx-test`: once the trap table is up, a ring-0 write to the kernel's
//!   own text, which `memory.rs` maps read-only (and CR0.WP makes that
//!   bind ring 0): a page fault on a present page (error code 3), which
//!   ldex-core's kernel trap reports.
//! * `smap-test`: the first system call that names a user buffer reads it
//!   while only checking it, outside `with_user_access`: the bug SMAP
//!   exists to catch. The read faults in ring 0 (a protection fault on a
//!   present user page) and ldex-core's kernel trap panics with the cause.

#[cfg(any(
    feature = "ist-overflow-test",
    feature = "kernel-fault-test",
    feature = "smap-test"
))]
use crate::kprint;

/// Far from anything the kernel maps: PML4[0] maps only the first GiB.
#[cfg(feature = "kernel-fault-test")]
const UNMAPPED: usize = 0xdead_0000;

/// At boot, once the trap table is installed: run on the NMI's IST stack
/// until it overflows.
#[cfg(feature = "ist-overflow-test")]
pub fn overflow_ist() -> ! {
    use ldex_arch_x86_64::gdt::{IST_NMI, ist_guard_pages, ist_stack_top};
    let guard = ist_guard_pages(ldex_arch_x86_64::smp::cpu_id())[usize::from(IST_NMI) - 1];
    kprint!("[kernel] ist-overflow-test: recursing on the IST2 stack, guard page at {guard:#x}\n");
    // SAFETY: deliberately not: the IST2 stack is only the NMI's, which
    // cannot arrive here (QEMU raises none), and the overflow must reach its
    // guard page. `recurse_forever` never returns.
    unsafe {
        core::arch::asm!(
            "mov rsp, {top}",
            "call {f}",
            top = in(reg) ist_stack_top(IST_NMI),
            f = sym recurse_forever,
            options(noreturn),
        )
    }
}

#[cfg(feature = "ist-overflow-test")]
extern "C" fn recurse_forever() -> ! {
    kernel_common::fault_test::recurse(0);
    unreachable!("recursion without bound returned")
}

/// At boot, once the trap table is installed.
#[cfg(feature = "kernel-fault-test")]
pub fn after_boot() {
    kprint!("[kernel] kernel-fault-test: reading unmapped {UNMAPPED:#x} in ring 0\n");
    // SAFETY: deliberately not: the fault must reach the trap table.
    let _ = unsafe { core::ptr::read_volatile(UNMAPPED as *const u64) };
}

/// Once a CPU's trap table is up: on an AP, recurse on its scheduler
/// stack until it overflows.
#[cfg(feature = "secondary-stack-overflow-test")]
pub fn overflow_secondary_stack() {
    kernel_common::fault_test::overflow_secondary_stack(
        &crate::serial::Serial,
        ldex_arch_x86_64::smp::cpu_id(),
    );
}

/// In the panic handler of the `secondary-stack-overflow-test` build:
/// say whether the page fault behind the double fault (CR2, which nothing
/// has changed since) lies in this CPU's own guard page, so the transcript
/// tells that guard from any other the recursion might have reached
/// without it.
#[cfg(feature = "secondary-stack-overflow-test")]
pub fn judge_secondary_overflow() {
    let cpu = ldex_arch_x86_64::smp::cpu_id();
    let guard = cpu
        .checked_sub(1)
        .and_then(|slot| crate::smp::guard_pages().nth(slot));
    let addr = x86_64::registers::control::Cr2::read_raw();
    kernel_common::fault_test::judge_guard(
        &crate::serial::Serial,
        cpu,
        addr as usize,
        guard.map(|g| g as usize),
        crate::memory::PAGE as usize,
    );
}

/// In a system call that writes to the console.
#[cfg(feature = "kernel-stack-overflow-test")]
pub fn in_console_write() {
    let pid = crate::KERNEL.current().map(|p| p.get());
    kernel_common::fault_test::overflow_kernel_stack(&crate::serial::Serial, pid);
}

/// While checking a user range, before `with_user_access`: read it as a
/// buggy kernel would.
#[cfg(feature = "smap-test")]
pub fn touch_user_outside_accessor(addr: usize) {
    kprint!("[kernel] smap-test: reading user {addr:#x} outside with_user_access\n");
    // SAFETY: deliberately not: SMAP must turn this read into a fault.
    let _ = unsafe { core::ptr::read_volatile(addr as *const u8) };
}

/// At boot, once the trap table is installed: write the kernel's text.
#[cfg(feature = "wx-test")]
pub fn write_own_text() {
    kernel_common::fault_test::write_own_text(
        &crate::serial::Serial,
        write_own_text as *const () as usize,
    );
}

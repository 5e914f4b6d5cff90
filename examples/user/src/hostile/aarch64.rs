//! AArch64's hooks for the hostile bodies.

/// An address inside the kernel image (where QEMU loads the Image).
pub const KERNEL: usize = 0x4020_0000;

/// `br to`.
///
/// # Safety
/// `to` is no code of this program: the kernel must kill it there.
pub unsafe fn jump(to: usize) -> ! {
    // SAFETY: the caller's contract.
    unsafe { core::arch::asm!("br {}", in(reg) to, options(noreturn)) }
}

/// `sp = sp_value`, `svc #0` with `nr` in x8, then push x0.
///
/// # Safety
/// The push faults (`sp_value` is kernel memory): the kernel must kill the
/// program there.
pub unsafe fn syscall_then_push(sp_value: usize, nr: usize) -> ! {
    // SAFETY: the caller's contract.
    unsafe {
        core::arch::asm!(
            "mov sp, {sp}",
            "svc #0",
            "str x0, [sp, #-16]!",
            sp = in(reg) sp_value,
            in("x8") nr,
            options(noreturn)
        )
    }
}

/// `1: b 1b`, for good.
pub fn spin() -> ! {
    // SAFETY: an endless loop; only the timer takes the CPU back.
    unsafe { core::arch::asm!("1: b 1b", options(noreturn)) }
}

//! RISC-V's hooks for the hostile bodies.

/// An address inside the kernel image (where OpenSBI loads it).
pub const KERNEL: usize = 0x8020_0000;

/// `jr to`.
///
/// # Safety
/// `to` is no code of this program: the kernel must kill it there.
pub unsafe fn jump(to: usize) -> ! {
    // SAFETY: the caller's contract.
    unsafe { core::arch::asm!("jr {}", in(reg) to, options(noreturn)) }
}

/// `sp = sp_value`, `ecall` with `nr` in a7, then push a0.
///
/// # Safety
/// The push faults (`sp_value` is kernel memory): the kernel must kill the
/// program there.
pub unsafe fn syscall_then_push(sp_value: usize, nr: usize) -> ! {
    // SAFETY: the caller's contract.
    unsafe {
        core::arch::asm!(
            "mv sp, {sp}",
            "ecall",
            "addi sp, sp, -16",
            "sw a0, 0(sp)",
            sp = in(reg) sp_value,
            in("a7") nr,
            options(noreturn)
        )
    }
}

/// `1: j 1b`, for good.
pub fn spin() -> ! {
    // SAFETY: an endless loop; only the timer takes the CPU back.
    unsafe { core::arch::asm!("1: j 1b", options(noreturn)) }
}

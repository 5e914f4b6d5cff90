//! RISC-V's hooks for [`super::one_gate`]: `rdinstret` and `ecall`
//! (`scounteren.IR`, which kernel-riscv sets, lets U-mode read `instret`).

/// `rdinstret; li a7, NR; OP; rdinstret`, the difference: the window
/// [`trap_window`] and [`nop_window`] measure.
macro_rules! window {
    ($nr:expr, $op:literal) => {{
        let delta: usize;
        // SAFETY: the op is a system call without memory arguments (the
        // kernel preserves every register but a0) or `nop`; the
        // clobbers cover what the kernel may change.
        unsafe {
            core::arch::asm!(
                "rdinstret {t}",
                "li a7, {nr}",
                $op,
                "rdinstret {d}",
                "sub {d}, {d}, {t}",
                nr = const $nr,
                t = out(reg) _,
                d = out(reg) delta,
                out("a7") _,
                out("a0") _,
            )
        };
        delta as u64
    }};
}

/// The window with `ecall`: a system call without memory arguments; the
/// kernel preserves every register but a0.
pub fn trap_window<const NR: usize>() -> u64 {
    window!(NR, "ecall")
}

/// The window with `nop` for `ecall`: what it costs without the trap.
pub fn nop_window<const NR: usize>() -> u64 {
    window!(NR, "nop")
}

/// `instret` now; inline, so the timer-gap loop's step is little more
/// than the read.
#[inline(always)]
pub fn counter() -> u64 {
    let t: usize;
    // SAFETY: rdinstret has no effects.
    unsafe { core::arch::asm!("rdinstret {}", out(reg) t, options(nomem, nostack)) };
    t as u64
}

//! RISC-V's hooks for [`super::one_gate`]: `rdinstret` and `ecall`
//! (`scounteren.IR`, which kernel-riscv sets, lets U-mode read `instret`).

/// `rdinstret; li a7, NR; ecall; rdinstret`, the difference.
pub fn trap_window<const NR: usize>() -> u64 {
    let delta: usize;
    // SAFETY: a system call without memory arguments; the kernel preserves
    // every register but a0.
    unsafe {
        core::arch::asm!(
            "rdinstret {t}",
            "li a7, {nr}",
            "ecall",
            "rdinstret {d}",
            "sub {d}, {d}, {t}",
            nr = const NR,
            t = out(reg) _,
            d = out(reg) delta,
            out("a7") _,
            out("a0") _,
        )
    };
    delta as u64
}

/// [`trap_window`] with `nop` for `ecall`: what the window costs without
/// the trap.
pub fn nop_window<const NR: usize>() -> u64 {
    let delta: usize;
    // SAFETY: only reads `instret` and sets two registers it declares.
    unsafe {
        core::arch::asm!(
            "rdinstret {t}",
            "li a7, {nr}",
            "nop",
            "rdinstret {d}",
            "sub {d}, {d}, {t}",
            nr = const NR,
            t = out(reg) _,
            d = out(reg) delta,
            out("a7") _,
            out("a0") _,
        )
    };
    delta as u64
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

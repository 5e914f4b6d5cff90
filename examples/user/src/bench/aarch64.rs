//! AArch64's hooks for [`super::one_gate`]: `PMEVCNTR0_EL0` (counting
//! `INST_RETIRED`; kernel-aarch64 sets `PMUSERENR_EL0.ER` and the counter
//! up) and `svc #0`.

/// `mrs; mov x8, NR; OP; mrs`, the difference: the window [`trap_window`]
/// and [`nop_window`] measure.
macro_rules! window {
    ($nr:expr, $op:literal) => {{
        let delta: usize;
        // SAFETY: the op is a system call without memory arguments (the
        // kernel preserves every register but x0) or `nop`; the
        // clobbers cover what the kernel may change.
        unsafe {
            core::arch::asm!(
                "mrs {t}, pmevcntr0_el0",
                "mov x8, #{nr}",
                $op,
                "mrs {d}, pmevcntr0_el0",
                "sub {d}, {d}, {t}",
                nr = const $nr,
                t = out(reg) _,
                d = out(reg) delta,
                out("x8") _,
                out("x0") _,
            )
        };
        delta as u64
    }};
}

/// The window with `svc #0`: a system call without memory arguments; the
/// kernel preserves every register but x0.
pub fn trap_window<const NR: usize>() -> u64 {
    window!(NR, "svc #0")
}

/// The window with `nop` for `svc #0`: what it costs without the trap.
pub fn nop_window<const NR: usize>() -> u64 {
    window!(NR, "nop")
}

/// The instruction counter now; inline, so the timer-gap loop's step is
/// little more than the read.
#[inline(always)]
pub fn counter() -> u64 {
    let t: usize;
    // SAFETY: reading the counter has no effects.
    unsafe { core::arch::asm!("mrs {}, pmevcntr0_el0", out(reg) t, options(nomem, nostack)) };
    t as u64
}

//! Instruction counts of the protocol's round trips, for
//! `-icount shift=0,sleep=off`, where QEMU's `instret` advances exactly one
//! per guest instruction (U, S and M mode alike). Each figure is the
//! smallest over many samples of `rdinstret; <op>; rdinstret` minus the same
//! sequence without `<op>`: the instructions the operation itself executed.
//!
//! * null syscall: `getpid` through `ecall`/`sret`;
//! * yield: `sched_yield` while `bench-partner` also yields: this process
//!   traps, the partner returns from its own `sched_yield`, loops and yields
//!   again, and this process returns (two traps, two switches, two returns);
//! * timer: the gap a timer interrupt leaves in a tight `rdinstret` loop,
//!   minus the loop's own step (entry, tick accounting, re-arm, exit; boot
//!   with a long quantum so no tick switches).
//!
//! Needs `scounteren.IR`, which kernel-riscv sets.
#![no_std]
#![no_main]

user::entry!(main);

/// Samples per figure; `bench-partner` yields a few more times than this.
pub const SAMPLES: usize = 300;

/// `rdinstret; li a7, NR; <op>; rdinstret`, the difference.
macro_rules! sample {
    ($nr:literal, $($op:literal),*) => {{
        let delta: usize;
        // SAFETY: system calls (or nothing) without memory arguments; the
        // kernel preserves every register but a0.
        unsafe {
            core::arch::asm!(
                "rdinstret {t}",
                concat!("li a7, ", $nr),
                $($op,)*
                "rdinstret {d}",
                "sub {d}, {d}, {t}",
                t = out(reg) _,
                d = out(reg) delta,
                out("a7") _,
                out("a0") _,
            )
        };
        delta as u64
    }};
}

fn min_of(f: impl Fn() -> u64) -> u64 {
    user::bench::min_of(SAMPLES, f)
}

fn main(_: user::Args) -> i32 {
    let yield_ = min_of(|| sample!("124", "ecall"));
    let base = min_of(|| sample!("172", "nop"));
    let null = min_of(|| sample!("172", "ecall"));
    user::bench::print_round_trips("ecall", base, null, yield_, timer_gap());
    0
}

/// The timer gap in a tight `rdinstret` loop.
fn timer_gap() -> u64 {
    user::bench::timer_gap(|| {
        let t: usize;
        // SAFETY: rdinstret has no effects.
        unsafe { core::arch::asm!("rdinstret {}", out(reg) t, options(nomem, nostack)) };
        t as u64
    })
}

//! Instruction counts of the protocol's round trips, for
//! `-icount shift=0,sleep=off`, where QEMU's PMU event 0x08
//! (`INST_RETIRED`, in `PMEVCNTR0_EL0`) advances exactly one per guest
//! instruction (EL0 and EL1 alike). Each figure is the smallest over many
//! samples of `mrs; <op>; mrs` minus the same sequence without `<op>`: the
//! instructions the operation itself executed.
//!
//! * null syscall: `getpid` through `svc`/`eret`;
//! * yield: `sched_yield` while `bench-partner` also yields: this process
//!   traps, the partner returns from its own `sched_yield`, loops and yields
//!   again, and this process returns (two traps, two switches, two returns);
//! * timer: the gap a timer interrupt leaves in a tight counter loop,
//!   minus the loop's own step (entry, tick accounting, re-arm, exit; boot
//!   with a long quantum so no tick switches).
//!
//! Needs `PMUSERENR_EL0.ER` and the counter set up, which kernel-aarch64
//! does.
#![no_std]
#![no_main]

user::entry!(main);

/// Samples per figure; `bench-partner` yields a few more times than this.
pub const SAMPLES: usize = 300;

/// `mrs; mov x8, NR; <op>; mrs`, the difference.
macro_rules! sample {
    ($nr:literal, $($op:literal),*) => {{
        let delta: usize;
        // SAFETY: system calls (or nothing) without memory arguments; the
        // kernel preserves every register but x0.
        unsafe {
            core::arch::asm!(
                "mrs {t}, pmevcntr0_el0",
                concat!("mov x8, #", $nr),
                $($op,)*
                "mrs {d}, pmevcntr0_el0",
                "sub {d}, {d}, {t}",
                t = out(reg) _,
                d = out(reg) delta,
                out("x8") _,
                out("x0") _,
            )
        };
        delta as u64
    }};
}

fn min_of(f: impl Fn() -> u64) -> u64 {
    user::bench::min_of(SAMPLES, f)
}

fn main(_: user::Args) -> i32 {
    let yield_ = min_of(|| sample!("124", "svc #0"));
    let base = min_of(|| sample!("172", "nop"));
    let null = min_of(|| sample!("172", "svc #0"));
    user::bench::print_round_trips("svc", base, null, yield_, timer_gap());
    0
}

/// The timer gap in a tight counter loop.
fn timer_gap() -> u64 {
    user::bench::timer_gap(|| {
        let t: usize;
        // SAFETY: reading the counter has no effects.
        unsafe { core::arch::asm!("mrs {}, pmevcntr0_el0", out(reg) t, options(nomem, nostack)) };
        t as u64
    })
}

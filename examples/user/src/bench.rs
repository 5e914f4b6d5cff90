//! What the `bench` and `bench-partner` programs of every arch share: the
//! smallest-of-many sampling, the timer-gap loop and the yield partner. Each
//! arch's `bench` brings only its instruction counter and trap instruction.

use crate::sys;

/// The smallest of `samples` runs of `f` (0 if `samples` is 0).
pub fn min_of(samples: usize, f: impl Fn() -> u64) -> u64 {
    (0..samples).map(|_| f()).min().unwrap_or(0)
}

/// The gap a timer interrupt leaves in a tight loop reading the instruction
/// counter `read`, minus the loop's own step: the smallest over 20 gaps of
/// 64 counts or more (entry, tick accounting, re-arm, exit).
pub fn timer_gap(read: impl Fn() -> u64) -> u64 {
    let (mut step, mut gap) = (u64::MAX, u64::MAX);
    let mut seen = 0;
    let mut prev = read();
    while seen < 20 {
        let now = read();
        let d = now.wrapping_sub(prev);
        prev = now;
        if d < 64 {
            step = step.min(d);
        } else {
            gap = gap.min(d);
            seen += 1;
        }
    }
    gap - step
}

/// The partner's whole run: `sched_yield` `rounds` times, a few more than
/// `bench` samples, so each of `bench`'s yields finds it ready. Exit 0, or 1
/// if a yield failed.
#[must_use]
pub fn yield_partner(rounds: usize) -> i32 {
    for _ in 0..rounds {
        if sys::sched_yield().is_err() {
            return 1;
        }
    }
    0
}

/// Print `bench`'s figures where one trap instruction serves every system
/// call (`ecall`, `svc`): each round trip minus `base`, the same sequence
/// without the trap.
pub fn print_round_trips(trap: &str, base: u64, null: u64, yield_: u64, timer: u64) {
    crate::println!(
        "bench: null syscall round trip (getpid, {trap}): {} instructions",
        null - base
    );
    crate::println!(
        "bench: yield round trip between two processes: {} instructions",
        yield_ - base
    );
    crate::println!("bench: timer interrupt, entry to exit: {timer} instructions");
}

//! What the `bench` and `bench-partner` programs of every arch share: the
//! smallest-of-many sampling, the timer-gap loop and the yield partner. Each
//! arch's `bench` brings only its instruction counter and trap instruction:
//! on RISC-V and AArch64, where one trap instruction serves every system
//! call, the whole program is [`one_gate`] and those two are its hooks
//! (`bench/riscv.rs`, `bench/aarch64.rs`); x86_64's `bench` measures its
//! two gates itself.

use crate::sys;

#[cfg(any(target_arch = "riscv64", target_arch = "riscv32"))]
#[path = "bench/riscv.rs"]
mod arch;
#[cfg(target_arch = "aarch64")]
#[path = "bench/aarch64.rs"]
mod arch;

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

/// The `bench` program where one trap instruction serves every system call
/// (`ecall`, `svc`): the yield round trip (with `bench-partner`), the same
/// window without the trap, the null system call (`getpid`) and the timer
/// gap, each the smallest over [`SAMPLES`] samples; then
/// [`print_round_trips`]. Sampled in that order: the yields come first,
/// while the partner is still yielding.
#[cfg(any(
    target_arch = "riscv64",
    target_arch = "riscv32",
    target_arch = "aarch64"
))]
pub fn one_gate(_: crate::Args) -> i32 {
    const GETPID: usize = number(abi::Call::Getpid);
    const SCHED_YIELD: usize = number(abi::Call::SchedYield);
    let yield_ = min_of(SAMPLES, arch::trap_window::<SCHED_YIELD>);
    let base = min_of(SAMPLES, arch::nop_window::<GETPID>);
    let null = min_of(SAMPLES, arch::trap_window::<GETPID>);
    let timer = timer_gap(arch::counter);
    print_round_trips(sys::Gate::NATIVE.name(), base, null, yield_, timer);
    0
}

/// Samples per figure of [`one_gate`]; `bench-partner` yields a few more
/// times than this.
pub const SAMPLES: usize = 300;

/// This arch's number of `call`, at compile time.
#[cfg(any(
    target_arch = "riscv64",
    target_arch = "riscv32",
    target_arch = "aarch64"
))]
const fn number(call: abi::Call) -> usize {
    match sys::NUMBERS.number(call) {
        Some(nr) => nr,
        None => panic!("bench needs getpid and sched_yield"),
    }
}

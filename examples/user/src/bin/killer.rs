//! Kills pid 1, a spinner running on the other CPU, and checks that the
//! kill's IPI, not a tick, ended it.
//!
//! The boot starts the spinner first (pid 1) and this program second, on
//! two CPUs, with `tick=5000`: every CPU's timer ticks once in 5 s. The
//! spinner never calls the kernel after its first line, so its CPU traps
//! only on an interrupt, and the first tick is seconds away. After a head
//! start (the other CPU picks the spinner up), the killer reads the clock,
//! sends SIGKILL, and asks `kill(1, 0)` until the answer is -ESRCH: the
//! spinner has died and been reaped. The kernel posts the kill in the
//! spinner's CPU's pending word and sends that CPU an IPI, whose trap ends
//! it within microseconds; without the IPI it would run on to its CPU's
//! first tick. So a kill that takes longer than [`LOST_NS`] (a fifth of
//! that tick, a hundred of the default ticks to spare a loaded host: the
//! IPI's kill takes a few milliseconds) was not delivered by an IPI: exit 1. The time is the host's (QEMU without
//! `-icount`, whose round robin of CPUs starves the spinner's).
//! Expected: `killer: pid 1 gone N us after SIGKILL`, exit 0.
#![no_std]
#![no_main]

use abi::errno::ESRCH;
use user::{println, sys};

user::entry!(main);

/// The spinner: the boot's first program.
const VICTIM: usize = 1;
const SIGKILL: usize = 9;
/// Past this the kill counts as lost: 1 s, against the boot's 5 s tick.
const LOST_NS: i64 = 1_000_000_000;
/// How often the killer looks whether the spinner is gone.
const POLL_NS: i64 = 20_000;
/// How long the spinner runs before the kill: 30 ms.
const HEAD_START_NS: i64 = 30_000_000;

fn now_ns() -> i64 {
    let ts = sys::clock_monotonic().expect("clock_gettime(CLOCK_MONOTONIC)");
    ts.sec as i64 * 1_000_000_000 + ts.nsec as i64
}

fn main(_: user::Args) -> i32 {
    let start = now_ns();
    while now_ns() - start < HEAD_START_NS {}
    if let Err(e) = sys::kill(VICTIM, 0) {
        println!("killer: pid {VICTIM} is not there (errno {e})");
        return 1;
    }
    let before = now_ns();
    if let Err(e) = sys::kill(VICTIM, SIGKILL) {
        println!("killer: kill({VICTIM}, SIGKILL) failed with errno {e}");
        return 1;
    }
    let gone = loop {
        // Look every POLL_NS only: each look takes the kernel's table
        // lock, which the dying spinner's CPU needs too.
        let t = now_ns();
        while now_ns() - t < POLL_NS {}
        match sys::kill(VICTIM, 0) {
            Ok(_) => continue,
            Err(ESRCH) => break now_ns(),
            Err(e) => {
                println!("killer: kill({VICTIM}, 0) failed with errno {e}");
                return 1;
            }
        }
    };
    let elapsed = gone - before;
    println!(
        "killer: pid {VICTIM} gone {} us after SIGKILL",
        elapsed / 1000
    );
    if elapsed > LOST_NS {
        println!(
            "killer: over {} ms: no IPI stopped pid {VICTIM}, a tick did",
            LOST_NS / 1_000_000
        );
        return 1;
    }
    0
}

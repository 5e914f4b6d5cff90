//! Kills pid 1, a spinner running on the other CPU, and times its death.
//!
//! The boot starts the spinner first (pid 1, `cpulimit` high, so only the
//! kill can end it) and this program second, on a second CPU. Once the
//! spinner has run for a few ticks, the killer reads the clock, sends
//! SIGKILL, and asks `kill(1, 0)` until the answer is -ESRCH: the spinner
//! has died and been reaped. The spinner's CPU only notices the kill at a
//! trap: the kernel's IPI is one at once, and the killer says whether it
//! was gone within a tick. The time is the host's (QEMU without `-icount`,
//! whose round robin of CPUs starves the spinner's), and a loaded host
//! stretches it past a tick now and then, so only a kill that takes ten
//! ticks counts as lost (exit 1). The time does not tell the IPI from the
//! spinner's next tick, which also ends it within a tick: `qemu -d int`
//! does (the spinner's last trap is vector 0x41 on x86_64, not 0x40).
//! Expected: `killer: pid 1 gone N us after SIGKILL`, exit 0.
#![no_std]
#![no_main]

use abi::errno::ESRCH;
use user::{println, sys};

user::entry!(main);

/// The spinner: the boot's first program.
const VICTIM: usize = 1;
const SIGKILL: usize = 9;
/// The example kernels' tick, 10 ms.
const TICK_NS: i64 = 10_000_000;
/// Past this the kill counts as lost: ten ticks. Wall-clock time on a
/// loaded host is no measure of one tick (see the module doc).
const LOST_NS: i64 = 10 * TICK_NS;
/// How often the killer looks whether the spinner is gone.
const POLL_NS: i64 = 20_000;
/// How long the spinner runs before the kill: three ticks.
const HEAD_START_NS: i64 = 3 * TICK_NS;

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
        "killer: pid {VICTIM} gone {} us after SIGKILL (a tick is {} us)",
        elapsed / 1000,
        TICK_NS / 1000
    );
    if elapsed > LOST_NS {
        println!(
            "killer: pid {VICTIM} took over {} ticks to die: the kill was lost",
            LOST_NS / TICK_NS
        );
        return 1;
    }
    if elapsed > TICK_NS {
        println!("killer: pid {VICTIM} gone, but over a tick after SIGKILL (a loaded host?)");
    } else {
        println!("killer: pid {VICTIM} gone within a tick");
    }
    0
}

//! Gives up the CPU a few times, counting; ends with `exit_group`.
#![no_std]
#![no_main]

use user::{println, sys};

user::entry!(main);

const ROUNDS: usize = 5;

fn main(_: user::Args) -> i32 {
    let pid = sys::getpid();
    for round in 1..=ROUNDS {
        println!("yielder {pid}: round {round} of {ROUNDS}");
        if let Err(e) = sys::sched_yield() {
            println!("yielder {pid}: sched_yield failed with errno {e}");
            return 1;
        }
    }
    println!("yielder {pid}: done");
    sys::exit_group(0)
}

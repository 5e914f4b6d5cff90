//! The other half of `bench`'s yield round trip: yields 5000 times, then
//! exits 0.
#![no_std]
#![no_main]

use user::sys;

user::entry!(main);

fn main(_: user::Args) -> i32 {
    for _ in 0..5000 {
        if sys::sched_yield().is_err() {
            return 1;
        }
    }
    0
}

//! Never calls the kernel again after its first line: only the timer (and
//! the CPU-time limit) can take the CPU back. Expected end:
//! `[pid N spinner] killed: CPU time limit (L ticks)`.
#![no_std]
#![no_main]

use user::println;

user::entry!(main);

fn main(_: user::Args) -> i32 {
    println!("spinner: spinning until the CPU-time limit");
    let mut n: u64 = 0;
    loop {
        // A store the compiler must keep, so the loop really runs.
        n = core::hint::black_box(n.wrapping_add(1));
    }
}

//! Spins on one instruction and never calls the kernel. Expected: killed: CPU time limit (L ticks).
#![no_std]
#![no_main]

user::entry!(main);

fn main(_: user::Args) -> i32 {
    user::println!("spin-forever: spinning without system calls");
    // SAFETY: an endless loop; only the timer takes the CPU back.
    unsafe { core::arch::asm!("1: b 1b", options(noreturn)) }
}

//! Runs brk. Expected: killed: breakpoint.
#![no_std]
#![no_main]

user::entry!(main);

fn main(_: user::Args) -> i32 {
    user::println!("brk: Runs brk.");
    // SAFETY: the kernel kills us here; nothing after runs.
    unsafe { core::arch::asm!("brk #0", options(nostack)) };
    1
}

//! Runs a permanently undefined instruction. Expected: killed: illegal instruction.
#![no_std]
#![no_main]

user::entry!(main);

fn main(_: user::Args) -> i32 {
    user::println!("illegal: Runs a permanently undefined instruction.");
    // SAFETY: the kernel kills us here; nothing after runs.
    unsafe { core::arch::asm!("udf #0", options(nostack)) };
    1
}

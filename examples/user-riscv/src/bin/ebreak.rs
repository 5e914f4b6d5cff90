//! Executes ebreak. Expected: killed: breakpoint.
#![no_std]
#![no_main]

user::entry!(main);

fn main(_: user::Args) -> i32 {
    user::println!("ebreak: ebreak");
    // SAFETY: the kernel kills us here; nothing after runs.
    unsafe { core::arch::asm!("ebreak") };
    1
}

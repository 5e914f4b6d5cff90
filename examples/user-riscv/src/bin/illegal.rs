//! Executes an all-zero instruction. Expected: killed: illegal instruction.
#![no_std]
#![no_main]

user::entry!(main);

fn main(_: user::Args) -> i32 {
    user::println!("illegal: executing an all-zero instruction");
    // SAFETY: the kernel kills us here; nothing after runs.
    unsafe { core::arch::asm!(".4byte 0") };
    1
}

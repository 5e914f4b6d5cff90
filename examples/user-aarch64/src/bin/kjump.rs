//! Jumps into the kernel image. Expected: killed: memory fault (user execute at 0x40200000).
#![no_std]
#![no_main]

user::entry!(main);

fn main(_: user::Args) -> i32 {
    user::println!("kjump: jumping into kernel memory");
    // SAFETY: the kernel kills us at the jump target; nothing after runs.
    unsafe { core::arch::asm!("br {}", in(reg) user_aarch64::KERNEL, options(noreturn)) }
}

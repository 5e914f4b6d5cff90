//! Hostile: a jump into the kernel image (expects: killed: memory fault (user execute at 0x100000)).
#![no_std]
#![no_main]

user::entry!(main);

fn main(_: user::Args) -> i32 {
    // SAFETY: this program exists to do exactly this; the kernel must stop it.
    unsafe { core::arch::asm!("jmp rax", in("rax") 0x10_0000u64, options(nostack)) };
    0
}

//! Hostile: a load from the kernel image at 1 MiB (expects: killed: memory fault (user read at 0x100000)).
#![no_std]
#![no_main]

user::entry!(main);

fn main(_: user::Args) -> i32 {
    // SAFETY: this program exists to do exactly this; the kernel must stop it.
    unsafe { core::arch::asm!("mov rax, [rax]", inout("rax") 0x10_0000u64 => _, options(nostack)) };
    0
}

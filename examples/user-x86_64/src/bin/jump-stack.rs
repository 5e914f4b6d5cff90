//! Hostile: a jump into the (writable, non-executable) stack, at the lowest
//! page of the kernel's fixed 64 KiB stack region (expects: killed: memory
//! fault (user execute at 0x7ffffffe0000) where the CPU has NX).
#![no_std]
#![no_main]

user::entry!(main);

fn main(_: user::Args) -> i32 {
    // SAFETY: this program exists to do exactly this; the kernel must stop it.
    unsafe { core::arch::asm!("jmp rax", in("rax") 0x7fff_fffe_0000u64, options(nostack)) };
    0
}

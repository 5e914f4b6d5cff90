//! Hostile: `mov cr3` (expects: killed: privileged instruction).
#![no_std]
#![no_main]

user::entry!(main);

fn main(_: user::Args) -> i32 {
    // SAFETY: this program exists to do exactly this; the kernel must stop it.
    unsafe { core::arch::asm!("mov cr3, rax", in("rax") 0u64, options(nostack)) };
    0
}

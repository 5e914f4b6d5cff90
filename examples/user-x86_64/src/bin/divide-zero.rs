//! Hostile: `div` by zero (expects: killed: divide error).
#![no_std]
#![no_main]

user::entry!(main);

fn main(_: user::Args) -> i32 {
    // SAFETY: this program exists to do exactly this; the kernel must stop it.
    unsafe {
        core::arch::asm!("div rcx", inout("rax") 1u64 => _, inout("rdx") 0u64 => _, in("rcx") 0u64, options(nostack))
    };
    0
}

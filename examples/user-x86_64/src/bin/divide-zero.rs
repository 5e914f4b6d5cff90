//! Hostile: `div` by zero (expects: killed: divide error).
#![no_std]
#![no_main]

use user_x86_64 as _;

#[unsafe(no_mangle)]
extern "C" fn main() -> i32 {
    // SAFETY: this program exists to do exactly this; the kernel must stop it.
    unsafe { core::arch::asm!("div rcx", inout("rax") 1u64 => _, inout("rdx") 0u64 => _, in("rcx") 0u64, options(nostack)) };
    0
}

//! Hostile: `ud2` (expects: killed: illegal instruction).
#![no_std]
#![no_main]

use user_x86_64 as _;

#[unsafe(no_mangle)]
extern "C" fn main() -> i32 {
    // SAFETY: this program exists to do exactly this; the kernel must stop it.
    unsafe { core::arch::asm!("ud2", options(nostack)) };
    0
}

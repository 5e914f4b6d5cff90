//! Hostile: `int 0x40`, the timer's DPL-0 gate (expects: killed: privileged instruction).
#![no_std]
#![no_main]

use user_x86_64 as _;

#[unsafe(no_mangle)]
extern "C" fn main() -> i32 {
    // SAFETY: this program exists to do exactly this; the kernel must stop it.
    unsafe { core::arch::asm!("int 0x40", options(nostack)) };
    0
}

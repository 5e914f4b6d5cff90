//! Hostile: `out` to a port with IOPL 0 and no I/O bitmap (expects: killed: privileged instruction).
#![no_std]
#![no_main]

use user_x86_64 as _;

#[unsafe(no_mangle)]
extern "C" fn main() -> i32 {
    // SAFETY: this program exists to do exactly this; the kernel must stop it.
    unsafe { core::arch::asm!("out 0x80, al", in("al") 0u8, options(nostack)) };
    0
}

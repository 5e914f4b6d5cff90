//! Hostile: `out` to a port with IOPL 0 and no I/O bitmap (expects: killed: privileged instruction).
#![no_std]
#![no_main]

user::entry!(main);

fn main(_: user::Args) -> i32 {
    // SAFETY: this program exists to do exactly this; the kernel must stop it.
    unsafe { core::arch::asm!("out 0x80, al", in("al") 0u8, options(nostack)) };
    0
}

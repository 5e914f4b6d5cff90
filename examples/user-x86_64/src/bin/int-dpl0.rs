//! Hostile: `int 0x40`, the timer's DPL-0 gate (expects: killed: privileged instruction).
#![no_std]
#![no_main]

user::entry!(main);

fn main(_: user::Args) -> i32 {
    // SAFETY: this program exists to do exactly this; the kernel must stop it.
    unsafe { core::arch::asm!("int 0x40", options(nostack)) };
    0
}

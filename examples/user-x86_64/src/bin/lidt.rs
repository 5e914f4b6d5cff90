//! Hostile: `lidt` (expects: killed: privileged instruction).
#![no_std]
#![no_main]

user::entry!(main);

fn main(_: user::Args) -> i32 {
    // SAFETY: this program exists to do exactly this; the kernel must stop it.
    unsafe { core::arch::asm!("sub rsp, 16", "lidt [rsp]", options(nostack)) };
    0
}

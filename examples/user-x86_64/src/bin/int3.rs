//! Hostile: `int3`; its gate is DPL 0, so the CPU raises #GP naming vector 3 (expects: killed: breakpoint).
#![no_std]
#![no_main]

user::entry!(main);

fn main(_: user::Args) -> i32 {
    // SAFETY: this program exists to do exactly this; the kernel must stop it.
    unsafe { core::arch::asm!("int3", options(nostack)) };
    0
}

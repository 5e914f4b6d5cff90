//! Runs eret at EL0 (a fake return into EL1). Expected: killed: illegal instruction.
#![no_std]
#![no_main]

user::entry!(main);

fn main(_: user::Args) -> i32 {
    user::println!("eret: Runs eret at EL0 (a fake return into EL1).");
    // SAFETY: the kernel kills us here; nothing after runs.
    unsafe { core::arch::asm!("eret", options(nostack)) };
    1
}

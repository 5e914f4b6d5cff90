//! Calls the secure monitor with smc from EL0. Expected: killed: illegal instruction.
#![no_std]
#![no_main]

user::entry!(main);

fn main(_: user::Args) -> i32 {
    user::println!("smc: Calls the secure monitor with smc from EL0.");
    // SAFETY: the kernel kills us here; nothing after runs.
    unsafe { core::arch::asm!("smc #0", options(nostack)) };
    1
}

//! Writes VBAR_EL1 (moves the trap table) from EL0. Expected: killed: illegal instruction.
#![no_std]
#![no_main]

user::entry!(main);

fn main(_: user::Args) -> i32 {
    user::println!("msr-vbar: Writes VBAR_EL1 (moves the trap table) from EL0.");
    // SAFETY: the kernel kills us here; nothing after runs.
    unsafe { core::arch::asm!("msr vbar_el1, xzr", options(nostack)) };
    1
}

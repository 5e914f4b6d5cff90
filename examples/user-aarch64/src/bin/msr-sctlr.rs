//! Writes SCTLR_EL1 (turns the MMU off) from EL0. Expected: killed: illegal instruction.
#![no_std]
#![no_main]

user::entry!(main);

fn main(_: user::Args) -> i32 {
    user::println!("msr-sctlr: Writes SCTLR_EL1 (turns the MMU off) from EL0.");
    // SAFETY: the kernel kills us here; nothing after runs.
    unsafe { core::arch::asm!("msr sctlr_el1, xzr", options(nostack)) };
    1
}

//! Masks IRQs with msr daifset at EL0 (SCTLR_EL1.UMA is clear). Expected: killed: privileged instruction.
#![no_std]
#![no_main]

user::entry!(main);

fn main(_: user::Args) -> i32 {
    user::println!("daifset: Masks IRQs with msr daifset at EL0 (SCTLR_EL1.UMA is clear).");
    // SAFETY: the kernel kills us here; nothing after runs.
    unsafe { core::arch::asm!("msr daifset, #2", options(nostack)) };
    1
}

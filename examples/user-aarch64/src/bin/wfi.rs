//! Idles the CPU with wfi at EL0 (SCTLR_EL1.nTWI is clear). Expected: killed: privileged instruction.
#![no_std]
#![no_main]

user::entry!(main);

fn main(_: user::Args) -> i32 {
    user::println!("wfi: Idles the CPU with wfi at EL0 (SCTLR_EL1.nTWI is clear).");
    // SAFETY: the kernel kills us here; nothing after runs.
    unsafe { core::arch::asm!("wfi", options(nostack)) };
    1
}

//! Cleans and invalidates a cache line from EL0 (SCTLR_EL1.UCI is clear). Expected: killed: privileged instruction.
#![no_std]
#![no_main]

user::entry!(main);

fn main(_: user::Args) -> i32 {
    user::println!(
        "cache-flush: Cleans and invalidates a cache line from EL0 (SCTLR_EL1.UCI is clear)."
    );
    let line = 0u64;
    // SAFETY: the kernel kills us here; nothing after runs.
    unsafe { core::arch::asm!("dc civac, {}", in(reg) &raw const line, options(nostack)) };
    1
}

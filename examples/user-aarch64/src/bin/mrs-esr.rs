//! Reads ESR_EL1 from EL0. Expected: killed: illegal instruction.
#![no_std]
#![no_main]

user::entry!(main);

fn main(_: user::Args) -> i32 {
    user::println!("mrs-esr: Reads ESR_EL1 from EL0.");
    // SAFETY: the kernel kills us here; nothing after runs.
    unsafe { core::arch::asm!("mrs x0, esr_el1", options(nostack)) };
    1
}

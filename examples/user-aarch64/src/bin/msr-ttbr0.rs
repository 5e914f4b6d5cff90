//! Writes TTBR0_EL1 (switches address space) from EL0. Expected: killed: illegal instruction.
#![no_std]
#![no_main]

user::entry!(main);

fn main(_: user::Args) -> i32 {
    user::println!("msr-ttbr0: Writes TTBR0_EL1 (switches address space) from EL0.");
    // SAFETY: the kernel kills us here; nothing after runs.
    unsafe { core::arch::asm!("msr ttbr0_el1, xzr", options(nostack)) };
    1
}

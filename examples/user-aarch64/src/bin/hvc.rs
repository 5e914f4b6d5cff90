//! Calls the hypervisor (PSCI) with hvc from EL0. Expected: killed: illegal instruction.
#![no_std]
#![no_main]

user::entry!(main);

fn main(_: user::Args) -> i32 {
    user::println!("hvc: Calls the hypervisor (PSCI) with hvc from EL0.");
    // SAFETY: the kernel kills us here; nothing after runs.
    unsafe { core::arch::asm!("hvc #0", options(nostack)) };
    1
}

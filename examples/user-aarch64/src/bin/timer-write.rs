//! Writes the virtual timer's control from EL0 (CNTKCTL_EL1.EL0VTEN is clear). Expected: killed: privileged instruction.
#![no_std]
#![no_main]

user::entry!(main);

fn main(_: user::Args) -> i32 {
    user::println!(
        "timer-write: Writes the virtual timer's control from EL0 (CNTKCTL_EL1.EL0VTEN is clear)."
    );
    // SAFETY: the kernel kills us here; nothing after runs.
    unsafe { core::arch::asm!("msr cntv_ctl_el0, xzr", options(nostack)) };
    1
}

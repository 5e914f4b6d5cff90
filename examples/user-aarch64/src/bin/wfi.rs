//! Idles the CPU with wfi at EL0 (SCTLR_EL1.nTWI is clear). Expected: killed: privileged instruction.
#![no_std]
#![no_main]

user::entry!(main);

fn main(_: user::Args) -> i32 {
    user::println!("wfi: Idles the CPU with wfi at EL0 (SCTLR_EL1.nTWI is clear).");
    // A wfi traps only when it would wait: with an interrupt already
    // pending (QEMU checks that first; on -smp 4 an IPI or tick sometimes
    // is) it completes as a nop, and the interrupt is taken after it. So
    // try again: the next one has nothing pending.
    for _ in 0..1000 {
        // SAFETY: the kernel kills us here; nothing after runs.
        unsafe { core::arch::asm!("wfi", options(nostack)) };
    }
    1
}

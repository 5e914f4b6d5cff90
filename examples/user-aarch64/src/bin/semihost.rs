//! Asks QEMU's semihosting to exit (hlt #0xf000) from EL0. Expected: killed: illegal instruction.
#![no_std]
#![no_main]

user::entry!(main);

fn main(_: user::Args) -> i32 {
    user::println!("semihost: Asks QEMU's semihosting to exit (hlt #0xf000) from EL0.");
    // SAFETY: the kernel kills us here; nothing after runs.
    unsafe { core::arch::asm!("hlt #0xf000", in("x0") 0x18, options(nostack)) };
    1
}

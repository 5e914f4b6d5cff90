//! Writes stvec from U-mode. Expected: killed: privileged instruction.
#![no_std]
#![no_main]

user::entry!(main);

fn main(_: user::Args) -> i32 {
    user::println!("csr-stvec: writing stvec from U-mode");
    // SAFETY: the kernel kills us here; nothing after runs.
    unsafe { core::arch::asm!("csrw stvec, zero") };
    1
}

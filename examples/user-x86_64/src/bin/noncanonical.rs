//! Hostile: a load from a non-canonical address; x86 reports it as #GP without an address (expects: killed: privileged instruction).
#![no_std]
#![no_main]

user::entry!(main);

fn main(_: user::Args) -> i32 {
    // SAFETY: this program exists to do exactly this; the kernel must stop it.
    unsafe {
        core::arch::asm!("mov rax, [rax]", inout("rax") 0x8000_0000_0000u64 => _, options(nostack))
    };
    0
}

//! Hostile: a jump to a non-canonical address right after a syscall (expects: killed: memory fault (user execute at 0x800000000000)).
#![no_std]
#![no_main]

user::entry!(main);

fn main(_: user::Args) -> i32 {
    // SAFETY: this program exists to do exactly this; the kernel must stop it.
    unsafe {
        core::arch::asm!("mov eax, 39", "syscall", "mov rax, 0x800000000000", "jmp rax", out("rax") _, out("rcx") _, out("r11") _, options(nostack))
    };
    0
}

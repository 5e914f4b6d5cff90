//! Hostile: `iretq` to a ring-0 code segment (expects: killed: privileged instruction).
#![no_std]
#![no_main]

user::entry!(main);

fn main(_: user::Args) -> i32 {
    // SAFETY: this program exists to do exactly this; the kernel must stop it.
    unsafe {
        core::arch::asm!("mov rax, rsp", "push 0x10", "push rax", "pushfq", "push 0x08", "lea rax, [rip]", "push rax", "iretq", out("rax") _, options(nostack))
    };
    0
}

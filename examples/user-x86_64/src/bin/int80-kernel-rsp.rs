//! Hostile: `int 0x80` with rsp in the kernel. The CPU switches to TSS.rsp0
//! for a ring change, so the gate never touches that rsp; the call returns
//! and the first push faults (expects: killed: memory fault (user write at
//! 0xffff8000000ffff8)).
#![no_std]
#![no_main]

user::entry!(main);

fn main(_: user::Args) -> i32 {
    // SAFETY: this program exists to do exactly this; the kernel must stop it.
    unsafe {
        core::arch::asm!(
            "mov rsp, 0xffff800000100000",
            "mov eax, 39",
            "int 0x80",
            "push rax",
            out("rax") _, out("rcx") _, out("r11") _,
        )
    };
    0
}

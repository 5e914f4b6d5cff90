//! Hostile: sets RFLAGS.TF (single-step) and makes a system call; SFMASK
//! keeps TF off in the kernel, and the single-step trap lands back in ring 3
//! after the return (expects: killed: trap 0x1, the #DB vector).
#![no_std]
#![no_main]

user::entry!(main);

fn main(_: user::Args) -> i32 {
    // SAFETY: this program exists to do exactly this; the kernel must stop it.
    unsafe {
        core::arch::asm!(
            "pushfq",
            "or qword ptr [rsp], 0x100",
            "popfq",
            "mov eax, 39",
            "syscall",
            "nop",
            "nop",
            out("rax") _, out("rcx") _, out("r11") _,
        )
    };
    0
}

//! Points sp at the kernel, makes a system call (the kernel must not use the user sp), then pushes. Expected: killed: memory fault (user write at 0x802ffff0).
#![no_std]
#![no_main]

user::entry!(main);

fn main(_: user::Args) -> i32 {
    user::println!("ksp-syscall: system call with sp in the kernel");
    // SAFETY: never returns: the push after the ecall faults.
    unsafe {
        core::arch::asm!(
            "li sp, 0x80300000",
            "li a7, 172",
            "ecall",
            "addi sp, sp, -16",
            "sw a0, 0(sp)",
            options(noreturn)
        )
    }
}

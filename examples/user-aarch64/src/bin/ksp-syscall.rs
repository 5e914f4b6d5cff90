//! Points sp at the kernel, makes a system call (the kernel must not use the user sp), then pushes. Expected: killed: memory fault (user write at 0x402ffff0).
#![no_std]
#![no_main]

user::entry!(main);

fn main(_: user::Args) -> i32 {
    user::println!("ksp-syscall: system call with sp in the kernel");
    // SAFETY: never returns: the push after the svc faults.
    unsafe {
        core::arch::asm!(
            "movz x9, #0x4030, lsl #16",
            "mov sp, x9",
            "mov x8, #172",
            "svc #0",
            "str x0, [sp, #-16]!",
            options(noreturn)
        )
    }
}

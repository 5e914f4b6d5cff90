//! Loads through an sp that is not 16-aligned (SCTLR_EL1.SA0 checks it). Expected: killed: misaligned read at SP.
#![no_std]
#![no_main]

user::entry!(main);

fn main(_: user::Args) -> i32 {
    user::println!("sp-misaligned: loading through a misaligned sp");
    // SAFETY: never returns: the load faults.
    unsafe {
        core::arch::asm!(
            "mov x9, sp",
            "sub x9, x9, #8",
            "mov sp, x9",
            "ldr x0, [sp]",
            options(noreturn)
        )
    }
}

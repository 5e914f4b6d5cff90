//! Branches to an address that is not 4-aligned (every A64 instruction is).
//! Expected: killed: misaligned execute at the target.
#![no_std]
#![no_main]

user::entry!(main);

/// Where the branch goes: 2 bytes into `main`'s own code.
fn target() -> usize {
    main as *const () as usize + 2
}

fn main(_: user::Args) -> i32 {
    user::println!("pc-misaligned: branching to {:#x}", target());
    // SAFETY: the kernel kills us at the branch target; nothing after runs.
    unsafe { core::arch::asm!("br {}", in(reg) target(), options(noreturn)) }
}

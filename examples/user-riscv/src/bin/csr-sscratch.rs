//! Reads sscratch (the kernel stack top while in U-mode). Expected: killed: privileged instruction.
#![no_std]
#![no_main]

user::entry!(main);

fn main(_: user::Args) -> i32 {
    user::println!("csr-sscratch: reading sscratch from U-mode");
    let v: usize;
    // SAFETY: the kernel kills us here; nothing after runs.
    unsafe { core::arch::asm!("csrr {}, sscratch", out(reg) v) };
    user::println!("csr-sscratch: read {v:#x}");
    1
}

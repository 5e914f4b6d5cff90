//! Hostile: a store into the kernel's direct map (expects: killed: memory fault (user write at 0xffff800000100000)).
#![no_std]
#![no_main]

user::entry!(main);

fn main(_: user::Args) -> i32 {
    // SAFETY: this program exists to do exactly this; the kernel must stop it.
    unsafe {
        core::arch::asm!("mov qword ptr [rax], 0", in("rax") 0xffff_8000_0010_0000u64, options(nostack))
    };
    0
}

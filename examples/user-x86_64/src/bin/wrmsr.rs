//! Hostile: `wrmsr` to IA32_LSTAR (expects: killed: privileged instruction).
#![no_std]
#![no_main]

user::entry!(main);

fn main(_: user::Args) -> i32 {
    // SAFETY: this program exists to do exactly this; the kernel must stop it.
    unsafe {
        core::arch::asm!("wrmsr", in("ecx") 0xc000_0082u32, in("eax") 0, in("edx") 0, options(nostack))
    };
    0
}

//! Hostile: `sldt` in ring 3, which without UMIP reveals the LDT selector
//! (expects, on a CPU with UMIP: killed: privileged instruction).
#![no_std]
#![no_main]

user::entry!(main);

fn main(_: user::Args) -> i32 {
    let mut out = [0u64; 2];
    // SAFETY: this program exists to do exactly this; the kernel must stop
    // it. The instruction stores at most 10 bytes into `out`.
    unsafe {
        core::arch::asm!(
            "sldt word ptr [{out}]",
            out = in(reg) out.as_mut_ptr(),
            options(nostack),
        )
    };
    user::println!(
        "umip-sldt: ring 3 learned the LDT selector: {:#x} {:#x}",
        out[0],
        out[1]
    );
    1
}

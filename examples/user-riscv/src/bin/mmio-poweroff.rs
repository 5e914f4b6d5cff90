//! Writes "power off, success" to the SiFive test device where the kernel
//! maps it (without U) in every address space. Expected: killed: memory
//! fault (user write at 0xc0100000), and QEMU keeps running.
#![no_std]
#![no_main]

user::entry!(main);

/// The SiFive test device of QEMU virt, as kernel-riscv maps it.
const TEST_DEVICE: usize = 0xC010_0000;

fn main(_: user::Args) -> i32 {
    user::println!("mmio-poweroff: writing the power-off device from U-mode");
    // SAFETY: the kernel kills us here; nothing after runs.
    unsafe { core::ptr::write_volatile(TEST_DEVICE as *mut u32, 0x5555) };
    1
}

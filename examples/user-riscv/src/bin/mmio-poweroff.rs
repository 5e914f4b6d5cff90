//! Writes "power off, success" to the SiFive test device, which the kernel
//! maps (without U) into every address space. Expected: killed: memory
//! fault (user write at 0x100000), and QEMU keeps running.
#![no_std]
#![no_main]

user::entry!(main);

/// The SiFive test device of QEMU virt.
const TEST_DEVICE: usize = 0x10_0000;

fn main(_: user::Args) -> i32 {
    user::println!("mmio-poweroff: writing the power-off device from U-mode");
    // SAFETY: the kernel kills us here; nothing after runs.
    unsafe { core::ptr::write_volatile(TEST_DEVICE as *mut u32, 0x5555) };
    1
}

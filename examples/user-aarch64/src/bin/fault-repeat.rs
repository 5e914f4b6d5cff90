//! Stores to the kernel image; the QEMU test boots it many times in a row. Expected each time: killed: memory fault (user write at 0x40200000).
#![no_std]
#![no_main]

user::entry!(main);

fn main(_: user::Args) -> i32 {
    user::println!("fault-repeat: writing kernel memory (again)");
    // SAFETY: the kernel kills us here; nothing after runs.
    unsafe { core::ptr::write_volatile(user_aarch64::KERNEL as *mut usize, 0) };
    1
}

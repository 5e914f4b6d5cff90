//! Loads from the kernel image. Expected: killed: memory fault (user read at 0x40200000).
#![no_std]
#![no_main]

user::entry!(main);

fn main(_: user::Args) -> i32 {
    user::println!("kread: reading kernel memory");
    // SAFETY: the kernel kills us here; nothing after runs.
    let v = unsafe { core::ptr::read_volatile(user_aarch64::KERNEL as *const usize) };
    user::println!("kread: read {v:#x}");
    1
}

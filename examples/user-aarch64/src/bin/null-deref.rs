//! Loads from address 0. Expected: killed: memory fault (user read at 0x0).
#![no_std]
#![no_main]

user::entry!(main);

fn main(_: user::Args) -> i32 {
    user::println!("null-deref: reading address 0");
    // SAFETY: the kernel kills us here; nothing after runs.
    let v = unsafe { core::ptr::read_volatile(core::ptr::null::<usize>()) };
    user::println!("null-deref: read {v:#x}");
    1
}

//! Stores to the UART where the kernel maps it (EL1 only). Expected: killed: memory fault (user write at 0x109000000).
#![no_std]
#![no_main]

user::entry!(main);

fn main(_: user::Args) -> i32 {
    user::println!("uart-write: writing the kernel's UART mapping");
    // SAFETY: the kernel kills us here; nothing after runs.
    unsafe { core::ptr::write_volatile(user_aarch64::UART as *mut u32, u32::from(b'!')) };
    1
}

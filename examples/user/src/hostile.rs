//! Hostile program bodies that are the same on every arch: each bin is
//! `user::entry!(user::hostile::NAME);` and keeps its expected ending in its
//! own doc line.

/// Load from address 0; the kernel must kill the program (a user read at
/// 0x0). Returns 1 if it survives.
pub fn null_deref(_: crate::Args) -> i32 {
    crate::println!("null-deref: reading address 0");
    // SAFETY: the kernel kills us here; nothing after runs.
    let v = unsafe { core::ptr::read_volatile(core::ptr::null::<usize>()) };
    crate::println!("null-deref: read {v:#x}");
    1
}

//! The conformance kit's host checks: what ring 3 can run of x86_64's
//! boundary (the switch, the frame accessors).

use super::Kit;

#[test]
fn callee_saved_registers_survive_resume_and_suspend() {
    // SAFETY: the test thread switches only between the kit's own contexts.
    let outcome = unsafe {
        ldex_conformance::context::callee_saved_registers_survive_resume_and_suspend::<Kit>()
    };
    outcome.unwrap_or_else(|failure| panic!("{failure}"));
}

#[test]
fn new_user_frame_starts_user_mode_at_entry() {
    ldex_conformance::frame::new_user_frame_starts_user_mode_at_entry::<Kit>()
        .unwrap_or_else(|failure| panic!("{failure}"));
}

#[test]
fn syscall_accessors_use_the_abi_registers() {
    ldex_conformance::frame::syscall_accessors_use_the_abi_registers::<Kit>()
        .unwrap_or_else(|failure| panic!("{failure}"));
}

//! The user snippet of the conformance kit's trap checks (see
//! `ldex-conformance`, module `trap`): `svc; svc; spin`.
//!
//! The kit starts it with a pattern in every register, the stack pointer
//! included, so it is its own entry point and uses no stack and no runtime
//! (it does not link the `user` crate). Only the `conformance` build of the
//! example kernel runs it.
#![no_std]
#![no_main]

/// The snippet: two system calls, then a loop the timer interrupts.
#[unsafe(naked)]
#[unsafe(no_mangle)]
unsafe extern "C" fn _start() -> ! {
    core::arch::naked_asm!("svc #0", "svc #0", "2:", "b 2b")
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    loop {}
}

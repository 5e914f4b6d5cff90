//! Hostile: spins for ever without a system call (expects: killed: CPU time
//! limit, from the kernel's `cpulimit=N`).
#![no_std]
#![no_main]

use user_x86_64 as _;

#[unsafe(no_mangle)]
extern "C" fn main() -> i32 {
    loop {
        core::hint::spin_loop();
    }
}

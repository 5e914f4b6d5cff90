//! System call numbers the kernel does not know (Linux's `fork`-era
//! numbers, a huge one, and `usize::MAX`). Each must get -ENOSYS. Expected:
//! exit 0.
#![no_std]
#![no_main]

use abi::errno::ENOSYS;
use user::sys::Gate;
use user_riscv::expect_errno;

user::entry!(main);

fn main(_: user::Args) -> i32 {
    user::println!("enosys: unknown system call numbers");
    let mut bad = 0;
    for (what, nr) in [
        ("enosys: syscall 220 (clone)", 220),
        ("enosys: syscall 999", 999),
        ("enosys: syscall usize::MAX", usize::MAX),
    ] {
        // SAFETY: unknown calls touch nothing.
        let raw = unsafe { Gate::NATIVE.call(nr, [0; 6]) };
        bad += expect_errno(what, raw, ENOSYS);
    }
    bad
}

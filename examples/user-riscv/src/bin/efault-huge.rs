//! `write` from a buffer we own with lengths that run past our memory: to
//! the end of the address space, wrapping around it, and just one page too
//! far. Each must get -EFAULT without the kernel reading a byte. Expected:
//! exit 0.
#![no_std]
#![no_main]

use abi::errno::EFAULT;
use abi::{Call, fd};
use user::sys::{Gate, nr};
use user_riscv::expect_errno;

user::entry!(main);

fn main(_: user::Args) -> i32 {
    user::println!("efault-huge: write with lengths past our memory");
    let buf = [b'x'; 64];
    let p = buf.as_ptr() as usize;
    let g = Gate::NATIVE;
    let mut bad = 0;
    for (what, len) in [
        ("efault-huge: write(1, buf, usize::MAX / 2)", usize::MAX / 2),
        (
            "efault-huge: write(1, buf, wrapping length)",
            usize::MAX - p + 2,
        ),
        ("efault-huge: write(1, buf, 1 GiB)", 1 << 30),
    ] {
        // SAFETY: the kernel must refuse the range; it only reads.
        let raw = unsafe { g.call(nr(Call::Write), [fd::STDOUT, p, len, 0, 0, 0]) };
        bad += expect_errno(what, raw, EFAULT);
    }
    bad
}

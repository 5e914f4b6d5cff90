//! System calls with pointers the caller does not own: into the kernel
//! image, NULL, and an unmapped user page. Each must get -EFAULT and the
//! kernel must not fault. Expected: exit 0.
#![no_std]
#![no_main]

use abi::errno::EFAULT;
use abi::{Call, clock, fd};
use user::sys::{Gate, nr};
use user_riscv::{KERNEL, expect_errno};

user::entry!(main);

/// Below the stack and above any program: mapped by nobody.
const UNMAPPED: usize = 0x2000_0000;

fn main(_: user::Args) -> i32 {
    user::println!("efault: system calls with pointers outside our memory");
    let g = Gate::NATIVE;
    let mut bad = 0;
    for (what, ptr) in [("kernel", KERNEL), ("NULL", 0), ("unmapped", UNMAPPED)] {
        // SAFETY: the kernel must refuse the pointer; nothing is written.
        let raw = unsafe { g.call(nr(Call::Write), [fd::STDOUT, ptr, 16, 0, 0, 0]) };
        bad += expect_errno(what_write(what), raw, EFAULT);
        // SAFETY: as above.
        let raw = unsafe {
            g.call(
                nr(Call::ClockGettime),
                [clock::CLOCK_MONOTONIC, ptr, 0, 0, 0, 0],
            )
        };
        bad += expect_errno(what_clock(what), raw, EFAULT);
    }
    bad
}

fn what_write(what: &str) -> &'static str {
    match what {
        "kernel" => "efault: write(1, kernel pointer, 16)",
        "NULL" => "efault: write(1, NULL, 16)",
        _ => "efault: write(1, unmapped pointer, 16)",
    }
}

fn what_clock(what: &str) -> &'static str {
    match what {
        "kernel" => "efault: clock_gettime(MONOTONIC, kernel pointer)",
        "NULL" => "efault: clock_gettime(MONOTONIC, NULL)",
        _ => "efault: clock_gettime(MONOTONIC, unmapped pointer)",
    }
}

//! Hostile arguments, not instructions: kernel pointers, huge lengths and a
//! wrapping range get -EFAULT (-14) and the program goes on (expects: exit 0).
#![no_std]
#![no_main]

use user_x86_64::{NR, check, print, syscall3};

const EFAULT: isize = -14;

#[unsafe(no_mangle)]
extern "C" fn main() -> i32 {
    let msg = "x";
    let kernel = 0x10_0000;
    let direct_map = 0xffff_8000_0010_0000;
    check(syscall3(NR.write, 1, kernel, 8) == EFAULT, "write from the kernel image");
    check(syscall3(NR.write, 1, direct_map, 8) == EFAULT, "write from the direct map");
    check(syscall3(NR.write, 1, msg.as_ptr() as usize, 1 << 40) == EFAULT, "huge length");
    check(syscall3(NR.write, 1, usize::MAX - 4, 16) == EFAULT, "wrapping range");
    check(syscall3(NR.clock_gettime, 1, kernel, 0) == EFAULT, "clock_gettime into the kernel");
    check(syscall3(NR.clock_gettime, 1, main as *const () as usize, 0) == EFAULT, "clock_gettime into code");
    print("efault: all refused with -EFAULT\n");
    0
}

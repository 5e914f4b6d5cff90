//! Unknown system calls get -ENOSYS (-38), through `syscall` and `int 0x80`
//! (expects: exit 0).
#![no_std]
#![no_main]

use user_x86_64::{check, int80_3, print, syscall3};

const ENOSYS: isize = -38;

#[unsafe(no_mangle)]
extern "C" fn main() -> i32 {
    for nr in [9999, 0, usize::MAX, 1 << 40] {
        check(syscall3(nr, 0, 0, 0) == ENOSYS, "syscall: unknown number");
        check(int80_3(nr, 0, 0, 0) == ENOSYS, "int 0x80: unknown number");
    }
    print("enosys: unknown numbers return -ENOSYS\n");
    0
}

//! A tiny runtime for the x86_64-only user programs: `_start`, raw system
//! calls through `syscall` and `int 0x80`, and a panic that exits 101.
//!
//! Each program defines `fn main() -> i32` as `#[unsafe(no_mangle)] extern
//! "C"`; `_start` calls it with the stack Linux lays out and exits with its
//! result.
#![no_std]
#![forbid(unsafe_op_in_unsafe_fn)]

use abi::Numbers;

/// The Linux x86_64 system call numbers.
pub const NR: Numbers = Numbers::X86_64;

core::arch::global_asm!(
    ".globl _start",
    "_start:",
    "xor ebp, ebp",
    "and rsp, -16",
    "call main",
    "mov edi, eax",
    "mov eax, 60",
    "syscall",
    "ud2",
);

/// `syscall` with up to three arguments.
pub fn syscall3(nr: usize, a0: usize, a1: usize, a2: usize) -> isize {
    let ret: isize;
    // SAFETY: the kernel checks every argument; rcx and r11 are clobbered.
    unsafe {
        core::arch::asm!("syscall", inlateout("rax") nr => ret, in("rdi") a0, in("rsi") a1, in("rdx") a2,
            lateout("rcx") _, lateout("r11") _, options(nostack))
    };
    ret
}

/// `int 0x80` with the same numbering and registers as `syscall`.
pub fn int80_3(nr: usize, a0: usize, a1: usize, a2: usize) -> isize {
    let ret: isize;
    // SAFETY: as for `syscall3`.
    unsafe {
        core::arch::asm!("int 0x80", inlateout("rax") nr => ret, in("rdi") a0, in("rsi") a1, in("rdx") a2,
            options(nostack))
    };
    ret
}

/// `write(1, s)`.
pub fn print(s: &str) -> isize {
    syscall3(NR.write, 1, s.as_ptr() as usize, s.len())
}

/// `exit(code)`.
pub fn exit(code: i32) -> ! {
    syscall3(NR.exit, code as usize, 0, 0);
    unreachable!("exit returned")
}

/// Print `what` and exit 1 unless `ok`.
pub fn check(ok: bool, what: &str) {
    if !ok {
        print("FAILED: ");
        print(what);
        print("\n");
        exit(1);
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    print("panic\n");
    exit(101)
}

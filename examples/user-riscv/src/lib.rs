//! The hostile set: RISC-V user programs that each try one way to break out
//! of user mode. The kernel must end each one with the cause below, while
//! the kernel and every other process carry on. `cargo xtask test
//! qemu:riscv` boots them all, with the well-behaved programs, on rv64 and
//! rv32 and checks every line (`examples/kernel-riscv/expect/full-set-*`).
//!
//! | program        | what it tries                                  | expected end                               |
//! |----------------|------------------------------------------------|--------------------------------------------|
//! | `csr-stvec`    | `csrw stvec` (move the trap table)             | killed: privileged instruction             |
//! | `csr-satp`     | `csrw satp` (switch address space)             | killed: privileged instruction             |
//! | `csr-sstatus`  | `csrs sstatus, SIE` (interrupts on in kernel)  | killed: privileged instruction             |
//! | `csr-sscratch` | `csrr sscratch` (read the kernel stack top)    | killed: privileged instruction             |
//! | `sret`         | `sret` (fake a return into S-mode)             | killed: privileged instruction             |
//! | `wfi`          | `wfi` (halt the hart)                          | killed: privileged instruction             |
//! | `illegal`      | an all-zero instruction                        | killed: illegal instruction                |
//! | `ebreak`       | `ebreak`                                       | killed: breakpoint                         |
//! | `kread`        | load from the kernel image                     | killed: memory fault (user read at K)      |
//! | `kwrite`       | store to the kernel image                      | killed: memory fault (user write at K)     |
//! | `kjump`        | jump into the kernel image                     | killed: memory fault (user execute at K)   |
//! | `null-deref`   | load from address 0                            | killed: memory fault (user read at 0x0)    |
//! | `mmio-poweroff`| store to the power-off device (kernel-mapped)  | killed: memory fault (user write at 0xc0100000) |
//! | `efault`       | write/clock_gettime with kernel pointers, NULL | exit 0 (every call got -EFAULT)            |
//! | `efault-huge`  | write with huge and wrapping lengths           | exit 0 (every call got -EFAULT)            |
//! | `enosys`       | unknown system call numbers                    | exit 0 (every call got -ENOSYS)            |
//! | `ksp-syscall`  | sp = kernel address, then `ecall`, then a push | killed: memory fault (user write at K+0xffff0) |
//! | `fault-repeat` | a store to the kernel (booted many times)      | killed: memory fault (user write at K)     |
//! | `spin-forever` | `j .` without a single system call             | killed: CPU time limit (L ticks)           |
//! | `fpu-keeper`   | fills f0–f31, yields, checks they survived     | rv64: exit 0; rv32: killed: illegal instruction |
//! | `regs-check`   | fills x1–x31 (rv64: f0–f31, fcsr), traps by `ecall`, timer and `sched_yield`, compares | exit 0 (else the first changed register's number) |
//! | `regs-partner` | dirties every register with its own pattern, spins, yields, 50 times | exit 0 |
//!
//! K is [`KERNEL`], the first byte of the kernel image. Each program prints
//! what it is about to try, so a transcript shows the attempt before the
//! kill; a program the kernel fails to stop returns 1.
#![no_std]

use user::{println, sys};

#[cfg(any(target_arch = "riscv64", target_arch = "riscv32"))]
pub mod regs;

pub use user::hostile::KERNEL;

/// Compare a raw system call result with `-errno`; print the outcome and
/// return 0 when it matches, 1 otherwise.
pub fn expect_errno(what: &str, raw: usize, errno: isize) -> i32 {
    match sys::check(raw) {
        Err(e) if e == errno => {
            println!("{what}: -{e} as expected");
            0
        }
        other => {
            println!("{what}: expected -{errno}, got {other:?}");
            1
        }
    }
}

//! The hostile set: AArch64 user programs that each try one way to break
//! out of EL0. The kernel must end each one with the cause below, while the
//! kernel and every other process carry on. `cargo xtask test
//! qemu:aarch64` boots them all, with the well-behaved programs, and checks
//! every line (`examples/kernel-aarch64/expect/full-set.expect`).
//!
//! AArch64 makes most EL1-only instructions UNDEFINED at EL0, exactly like
//! garbage, so they end as illegal instructions; what `SCTLR_EL1` and
//! `CNTKCTL_EL1` make trap ends as a privileged instruction (see
//! `ldex_arch_aarch64::decode`).
//!
//! | program        | what it tries                                   | expected end                              |
//! |----------------|-------------------------------------------------|-------------------------------------------|
//! | `msr-vbar`     | `msr vbar_el1` (move the trap table)            | killed: illegal instruction               |
//! | `msr-sctlr`    | `msr sctlr_el1` (MMU off)                       | killed: illegal instruction               |
//! | `msr-ttbr0`    | `msr ttbr0_el1` (switch address space)          | killed: illegal instruction               |
//! | `mrs-esr`      | `mrs esr_el1` (read a kernel register)          | killed: illegal instruction               |
//! | `eret`         | `eret` (fake a return into EL1)                 | killed: illegal instruction               |
//! | `hvc`, `smc`   | call the hypervisor or secure monitor (PSCI)    | killed: illegal instruction               |
//! | `semihost`     | `hlt #0xf000` (ask QEMU to exit)                | killed: illegal instruction               |
//! | `daifset`      | `msr daifset, #2` (mask interrupts)             | killed: privileged instruction            |
//! | `timer-write`  | `msr cntv_ctl_el0` (stop the timer)             | killed: privileged instruction            |
//! | `wfi`          | `wfi` (idle the CPU)                            | killed: privileged instruction            |
//! | `cache-flush`  | `dc civac` (cache maintenance)                  | killed: privileged instruction            |
//! | `illegal`      | `udf #0`                                        | killed: illegal instruction               |
//! | `brk`          | `brk #0`                                        | killed: breakpoint                        |
//! | `kread`        | load from the kernel image                      | killed: memory fault (user read at K)     |
//! | `kwrite`       | store to the kernel image                       | killed: memory fault (user write at K)    |
//! | `kjump`        | jump into the kernel image                      | killed: memory fault (user execute at K)  |
//! | `null-deref`   | load from address 0                             | killed: memory fault (user read at 0x0)   |
//! | `uart-write`   | store to the UART (kernel-mapped)               | killed: memory fault (user write at 0x109000000) |
//! | `ksp-syscall`  | sp = kernel address, then `svc`, then a push    | killed: memory fault (user write at K+0xffff0) |
//! | `pc-misaligned`| a branch to an address that is not 4-aligned    | killed: misaligned execute at the target  |
//! | `fault-repeat` | a store to the kernel (booted many times)       | killed: memory fault (user write at K)    |
//! | `spin-forever` | `b .` without a single system call              | killed: CPU time limit (L ticks)          |
//! | `fpu-keeper`   | fills q0–q31, yields, checks they survived      | exit 0                                    |
//! | `regs-check`   | fills x0–x30, q0–q31, FPCR, FPSR, NZCV, TPIDR_EL0; traps by `svc`, timer and `sched_yield`; compares | exit 0 (else the first changed register's code) |
//! | `regs-partner` | dirties every register with its own pattern, spins, yields, 50 times | exit 0           |
//!
//! K is [`KERNEL`], the first byte of the kernel image. Each program prints
//! what it is about to try, so a transcript shows the attempt before the
//! kill; a program the kernel fails to stop returns 1.
#![no_std]

#[cfg(target_arch = "aarch64")]
pub mod regs;

pub use user::hostile::KERNEL;
/// The UART where the kernel maps it (`MMIO_ALIAS` + its physical address).
pub const UART: usize = 0x1_0900_0000;

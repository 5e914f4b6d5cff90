//! Hostile program bodies that are the same on every arch: each bin is
//! `user::entry!(user::hostile::NAME);` and keeps its expected ending in its
//! own doc line.
//!
//! The attacks on the kernel image (`kread`, `kwrite`, `kjump`,
//! `ksp_syscall`, `fault_repeat`) are for the RISC-V and AArch64
//! example kernels, whose image starts at `KERNEL`; what Rust cannot say
//! (a jump, a system call on a chosen stack) is each arch's hook, in
//! `hostile/riscv.rs` and `hostile/aarch64.rs`, as is `spin_forever`'s
//! one-instruction loop.

#[cfg(any(target_arch = "riscv64", target_arch = "riscv32"))]
#[path = "hostile/riscv.rs"]
mod arch;
#[cfg(target_arch = "aarch64")]
#[path = "hostile/aarch64.rs"]
mod arch;
#[cfg(any(
    target_arch = "riscv64",
    target_arch = "riscv32",
    target_arch = "aarch64"
))]
mod image;

#[cfg(any(
    target_arch = "riscv64",
    target_arch = "riscv32",
    target_arch = "aarch64"
))]
pub use image::{KERNEL, fault_repeat, kjump, kread, ksp_syscall, kwrite};

/// Load from address 0; the kernel must kill the program (a user read at
/// 0x0). Returns 1 if it survives.
pub fn null_deref(_: crate::Args) -> i32 {
    crate::println!("null-deref: reading address 0");
    // SAFETY: the kernel kills us here; nothing after runs.
    let v = unsafe { core::ptr::read_volatile(core::ptr::null::<usize>()) };
    crate::println!("null-deref: read {v:#x}");
    1
}

/// Spin on one instruction without a system call; only the timer takes
/// the CPU back, and the kernel must kill the program at its CPU time
/// limit.
#[cfg(any(
    target_arch = "riscv64",
    target_arch = "riscv32",
    target_arch = "aarch64"
))]
pub fn spin_forever(_: crate::Args) -> i32 {
    crate::println!("spin-forever: spinning without system calls");
    arch::spin()
}

//! # ldex-arch-riscv: the RISC-V backend of ldex
//!
//! Limited direct execution on a RISC-V hart running an S-mode kernel under
//! SBI firmware (OpenSBI), rv64 and rv32 from one source:
//!
//! * [`frame`]: the [`TrapFrame`] (31 GPRs, sepc, sstatus, scause, stval) and
//!   its map.
//! * `entry`: the one trap entry, the exit path, the `sscratch`
//!   protocol that tells user traps from kernel traps, and the emergency
//!   stack a kernel stack overflow is reported from.
//! * `trap_table`: the `TrapTable` (`stvec` direct mode).
//! * [`context`]: [`Context`] and swtch, the `resume`/`suspend` pair (pc, sp,
//!   s0, s1; the compiler keeps s2–s11).
//! * [`decode`]: `scause`/`stval` into ldex-core's `TrapCause`.
//! * `supervisor`: `with_user_access`, the one place `sstatus.SUM` is set.
//! * `timer`: `Timer` on `stimecmp` (Sstc) or SBI `set_timer`.
//! * [`fpu`]: lazy FP save driven by `sstatus.FS`.
//! * [`satp`]: [`Satp`], the address-space root.
//! * `smp`: the CPU id in `tp`, starting harts (SBI HSM), IPIs (SBI).
//!
//! `Riscv` ties them into ldex-core's [`Arch`](ldex_core::Arch). On a
//! non-RISC-V host only the types, layouts and decoders build (and are
//! tested); everything with assembly (`entry`, `trap_table`, `timer`, `Riscv`) is `cfg`'d
//! to `riscv32`/`riscv64`.
//!
//! `docs/arch-riscv.md` walks through putting a kernel on this crate.
#![no_std]
#![forbid(unsafe_op_in_unsafe_fn)]

mod xlen;

pub mod context;
pub mod decode;
pub mod fpu;
pub mod frame;
pub mod satp;

#[cfg(any(target_arch = "riscv32", target_arch = "riscv64"))]
mod arch;
#[cfg(all(
    any(target_arch = "riscv32", target_arch = "riscv64"),
    any(test, feature = "conformance")
))]
pub mod conformance;
#[cfg(any(target_arch = "riscv32", target_arch = "riscv64"))]
mod csr;
#[cfg(any(target_arch = "riscv32", target_arch = "riscv64"))]
pub mod entry;
#[cfg(any(target_arch = "riscv32", target_arch = "riscv64"))]
mod kernel_space;
#[cfg(any(target_arch = "riscv32", target_arch = "riscv64"))]
pub mod smp;
#[cfg(any(target_arch = "riscv32", target_arch = "riscv64"))]
pub mod supervisor;
#[cfg(any(target_arch = "riscv32", target_arch = "riscv64"))]
pub mod timer;
#[cfg(any(target_arch = "riscv32", target_arch = "riscv64"))]
pub mod trap_table;

#[cfg(any(target_arch = "riscv32", target_arch = "riscv64"))]
pub use arch::Riscv;
pub use context::Context;
pub use fpu::FpuState;
pub use frame::TrapFrame;
pub use satp::Satp;
#[cfg(any(target_arch = "riscv32", target_arch = "riscv64"))]
pub use timer::{Timer, TimerKind};
#[cfg(any(target_arch = "riscv32", target_arch = "riscv64"))]
pub use trap_table::TrapTable;
pub use xlen::XLENB;

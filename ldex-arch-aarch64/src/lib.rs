//! # ldex-arch-aarch64: the AArch64 backend of ldex
//!
//! Limited direct execution on an ARMv8-A CPU with the kernel at EL1 and
//! processes at EL0:
//!
//! * [`frame`]: the [`TrapFrame`] (x0–x30, sp, ELR, SPSR, ESR, FAR) and its
//!   map.
//! * `entry`: the `VBAR_EL1` vector table, the one exit path, and the
//!   banked `SP_EL1` that finds the kernel stack without a scratch register;
//!   the emergency stack a kernel stack overflow is reported from.
//! * `trap_table`: the `TrapTable` (`VBAR_EL1`).
//! * [`context`]: [`Context`] and swtch, the `resume`/`suspend` pair (pc,
//!   sp, x19, x29; the compiler keeps x20–x28).
//! * [`decode`]: `ESR_EL1`/`FAR_EL1` and the vector slot into ldex-core's
//!   `TrapCause`.
//! * `gic`: the GICv2, for the timer's PPI, the IPI and board devices;
//!   one distributor, a CPU interface per CPU.
//! * `smp`: many CPUs: the CPU id in `TPIDR_EL1`, the MPIDR affinity, the
//!   IPI (GICv2 SGI 0).
//! * `timer`: `Timer` on the EL1 virtual timer (`CNTV_*`), one per CPU.
//! * [`fpu`]: q0–q31, FPCR, FPSR, trapped on first use and eager after.
//! * `supervisor`: `SCTLR_EL1`'s EL0 controls, PAN and `with_user_access`
//!   (the module of the same job on x86_64 and RISC-V).
//! * [`ttbr`]: [`Ttbr0`], the address-space root.
//!
//! `Aarch64` ties them into ldex-core's [`Arch`](ldex_core::Arch). On a
//! host of another architecture only the types, layouts and decoders build
//! (and are tested); everything with assembly is `cfg`'d to `aarch64`.
//!
//! The kernel must be built for `aarch64-unknown-none-softfloat`: the
//! entry saves no FP/SIMD register, so kernel code must never use one (the
//! hard-float `aarch64-unknown-none` lets the compiler copy memory through
//! q registers). User programs are built for `aarch64-unknown-none` or by
//! any Linux toolchain.
//!
//! `docs/arch-aarch64.md` walks through putting a kernel on this crate.
#![no_std]
#![forbid(unsafe_op_in_unsafe_fn)]

pub mod context;
pub mod decode;
pub mod fpu;
pub mod frame;
pub mod ttbr;

#[cfg(target_arch = "aarch64")]
mod arch;
#[cfg(all(target_arch = "aarch64", any(test, feature = "conformance")))]
pub mod conformance;
#[cfg(target_arch = "aarch64")]
pub mod entry;
#[cfg(target_arch = "aarch64")]
pub mod gic;
#[cfg(target_arch = "aarch64")]
mod kernel_space;
#[cfg(target_arch = "aarch64")]
pub mod smp;
#[cfg(target_arch = "aarch64")]
pub mod supervisor;
#[cfg(target_arch = "aarch64")]
mod sysreg;
#[cfg(target_arch = "aarch64")]
pub mod timer;
#[cfg(target_arch = "aarch64")]
pub mod trap_table;

#[cfg(target_arch = "aarch64")]
pub use arch::{Aarch64, ProcessState};
pub use context::Context;
pub use fpu::FpuState;
pub use frame::TrapFrame;
#[cfg(target_arch = "aarch64")]
pub use timer::Timer;
#[cfg(target_arch = "aarch64")]
pub use trap_table::TrapTable;
pub use ttbr::Ttbr0;

#![doc = include_str!("../README.md")]
//!
//! # This crate: the protocol, free of any architecture
//!
//! * [`arch`] is the boundary an architecture fills in: [`Arch`],
//!   [`TrapFrame`], [`Context`] (swtch), [`TrapTable`] and [`Timer`].
//! * [`cause`] is the arch-neutral [`TrapCause`] every trap is decoded into.
//! * [`kernel`] is the protocol: the process table, process creation (Fig 6.2),
//!   the per-CPU scheduler loop and `sched`/`yield` over [`Context::resume`]
//!   and [`Context::suspend`]
//!   (Fig 6.3), trap dispatch, exit, kill and reaping.
//! * [`sched`] is the [`Scheduler`] trait: a pure data structure, the policy.
//! * [`trace`] names every step of the protocol with the words of OSTEP's
//!   figures, so the simulator and real kernels print the same timeline.
//! * [`sync`] is the interrupt-safe spin lock all shared state lives behind,
//!   and [`Interrupts`], the one interrupt abstraction.
//!
//! The crate is `no_std` and never allocates; the `alloc` feature lets the
//! scheduling policies size themselves at run time.
#![no_std]
#![forbid(unsafe_op_in_unsafe_fn)]

#[cfg(feature = "alloc")]
extern crate alloc;

pub mod arch;
pub mod cause;
pub mod config;
#[cfg(not(loom))]
pub mod kernel;
pub mod kstack;
#[cfg(not(loom))]
pub mod percpu;
pub mod pid;
pub mod proc;
pub mod sched;
mod sink;
pub mod sync;
pub mod syscall;
pub mod timer;
pub mod token;
pub mod trace;
pub mod user;

/// The most CPUs a [`Kernel`] runs on: the length of its per-CPU array
/// (see [`percpu`]).
pub const MAX_CPUS: usize = 8;

pub use arch::{Arch, Context, TrapFrame, TrapTable};
pub use cause::{AccessKind, Privilege, TrapCause};
pub use config::{Config, FaultPolicy, KernelPreemption, Mode};
#[cfg(not(loom))]
pub use kernel::Kernel;

pub use pid::Pid;
pub use sched::Scheduler;
pub use sync::Interrupts;
pub use syscall::{Os, SyscallAction};
pub use timer::{PeriodicTimer, Timer};
pub use token::BootToken;
pub use trace::{Column, Event};

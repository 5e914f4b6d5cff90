//! # ldex-sim: limited direct execution on a simulated machine
//!
//! The simulator is one more arch backend of `ldex-core`: a CPU with a
//! user/kernel mode bit, a trap-table register only kernel mode may load, a
//! one-shot timer counting simulated ticks, a disk, and scripted user
//! programs. The real `ldex_core::Kernel` runs on it, with the real
//! policies, and the machine prints what happened in the three columns of
//! OSTEP Figures 6.2 and 6.3.
//!
//! * [`scenario`] and [`parse`]: what to run, and its text format.
//! * [`machine`], [`arch`], [`context`], [`memory`]: the simulated
//!   hardware, as an [`ldex_core::Arch`]; [`smp`]: its CPUs, when it has
//!   more than one.
//! * [`os`]: the simulated OS (system calls, interrupt handlers).
//! * [`run`]: one run, start to finish; [`report`] and [`timeline`]: what it
//!   produced.
//! * [`ostep`]: `ldex-sim ostep FILE`, the OSTEP homework-simulator cases
//!   replayed through ldex-core's policies on this machine.
//!
//! A run is deterministic: the same scenario gives the same output, byte for
//! byte.
#![forbid(unsafe_op_in_unsafe_fn)]

pub mod arch;
pub mod cli;
pub mod context;
pub mod machine;
pub mod memory;
pub mod os;
pub mod ostep;
pub mod parse;
pub mod policy;
pub mod render;
pub mod report;
pub mod run;
pub mod scenario;
pub mod smp;
pub mod svg;
pub mod timeline;

pub use parse::{ParseError, parse};
pub use report::Report;
pub use run::run;
pub use scenario::{Op, ProcSpec, Scenario, Settings};

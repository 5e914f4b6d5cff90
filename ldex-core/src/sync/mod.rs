//! Shared state: an interrupt-safe spin lock over a loom shim.
//!
//! All state that a trap handler and the code it interrupted (or two CPUs)
//! could both touch lives behind [`SpinLock`]. Taking the lock first
//! disables interrupts on this CPU (through [`Interrupts`]) and only then
//! spins, so an interrupt handler can never spin on a lock its own CPU
//! holds. Dropping the guard releases the lock and then restores the
//! interrupt state that was there before. [`Interrupts`] is the one
//! interrupt abstraction of ldex: every [`Arch`](crate::Arch) is one.
//!
//! Under `--cfg loom` the atomics and the cell come from `loom`, so the lock
//! is model-checked by the tests in `tests/loom_*.rs`; [`shim`] is the
//! switch.
//!
//! Two lock-free pieces carry the SMP protocol between CPUs, and are
//! model-checked the same way (`tests/loom_smp.rs`): [`PendingWork`], the
//! word another CPU posts a kill or a reschedule to, and [`OnCpu`], the
//! flag that hands a process from the CPU it leaves to the CPU that picked
//! it.
//!
//! One-time initialisation uses `spin::Once` (re-exported as [`Once`]).

mod interrupts;
mod on_cpu;
mod pending;
pub mod shim;
mod spinlock;

pub use interrupts::{InterruptState, Interrupts, NoInterrupts};
pub use on_cpu::OnCpu;
pub use pending::PendingWork;
pub use spin::Once;
pub use spinlock::{SpinLock, SpinLockGuard};

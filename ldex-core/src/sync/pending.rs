//! The pending-work word of one CPU: work that must be done before its
//! process next returns to user mode.
//!
//! Other CPUs post to it (under the table lock, which orders a post with
//! the pick that set the word for the process now running) and then send
//! an IPI; the CPU reads it once on every return to user mode, and takes
//! the slow path only when a bit is set. The fast-path read is `Relaxed`:
//! the word is only a hint to look, and what it says is made visible by
//! the IPI that follows every cross-CPU post, which the arch orders after
//! the post ([`Arch::send_ipi`](crate::Arch::send_ipi): a release, taking
//! the IPI an acquire).

use super::shim::{AtomicU32, Ordering};

/// A CPU's pending-work word.
#[derive(Debug)]
pub struct PendingWork(AtomicU32);

impl PendingWork {
    /// The policy wants the running process off the CPU.
    pub const RESCHED: u32 = 1 << 0;
    /// The running process was killed: it dies at its next return to user
    /// mode.
    pub const KILL: u32 = 1 << 1;

    /// No work pending.
    #[cfg(not(loom))]
    pub const fn new() -> Self {
        PendingWork(AtomicU32::new(0))
    }

    /// No work pending (loom's atomics are not `const`).
    #[cfg(loom)]
    pub fn new() -> Self {
        PendingWork(AtomicU32::new(0))
    }

    /// The word, read once on the way out to user mode.
    #[inline(always)]
    pub fn read(&self) -> u32 {
        self.0.load(Ordering::Relaxed)
    }

    /// Replace the word: the CPU starts running a process that has
    /// `bits` to do (a kill posted while it was not running).
    #[inline]
    pub fn set(&self, bits: u32) {
        self.0.store(bits, Ordering::Relaxed);
    }

    /// Take all the pending work, leaving none.
    #[inline]
    pub fn take_all(&self) -> u32 {
        self.0.swap(0, Ordering::Relaxed)
    }

    /// Take `bit` of the pending work: was it set?
    #[inline]
    pub fn take(&self, bit: u32) -> bool {
        self.0.fetch_and(!bit, Ordering::Relaxed) & bit != 0
    }

    /// Ask the CPU to do `bits` at its process's next return to user mode.
    #[inline]
    pub fn post(&self, bits: u32) {
        self.0.fetch_or(bits, Ordering::Relaxed);
    }
}

impl Default for PendingWork {
    fn default() -> Self {
        Self::new()
    }
}

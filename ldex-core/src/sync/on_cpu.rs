//! The hand-over of a process between CPUs (Linux's `on_cpu`).
//!
//! A process leaving its CPU is made runnable under the table lock (a
//! requeue, a block, a sleep) *before* that CPU has switched away from its
//! kernel stack and saved its context: another CPU may pick it in between.
//! The flag closes that window: the CPU that runs a process holds it from
//! before its `resume` until, after the switch back, the context and the
//! arch state are saved ([`OnCpu::release`], a release store); a CPU that
//! picked the process waits for it to clear ([`OnCpu::claim`], an acquire)
//! before its own `resume`. The wait is the few instructions of the other
//! CPU's switch, never a wait for an event, so it spins.

use super::shim::{AtomicBool, Ordering, spin_loop};

/// Is a CPU on this process's kernel stack?
#[derive(Debug)]
pub struct OnCpu(AtomicBool);

impl OnCpu {
    /// No CPU runs the process.
    #[cfg(not(loom))]
    pub const fn new() -> Self {
        OnCpu(AtomicBool::new(false))
    }

    /// No CPU runs the process (loom's atomics are not `const`).
    #[cfg(loom)]
    pub fn new() -> Self {
        OnCpu(AtomicBool::new(false))
    }

    /// Wait until no other CPU is on the process's stack, then be the one.
    /// Everything the last CPU did with the process before its
    /// [`OnCpu::release`] is visible after this returns. One claimer at a
    /// time: the CPU that picked the process under the table lock.
    #[inline]
    pub fn claim(&self) {
        while self.0.load(Ordering::Acquire) {
            spin_loop();
        }
        self.0.store(true, Ordering::Relaxed);
    }

    /// This CPU is off the process's stack, its state saved: another CPU
    /// may claim it.
    #[inline]
    pub fn release(&self) {
        self.0.store(false, Ordering::Release);
    }
}

impl Default for OnCpu {
    fn default() -> Self {
        Self::new()
    }
}

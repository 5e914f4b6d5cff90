//! Round robin: FIFO order, and the running process is preempted after a
//! quantum of ticks and goes to the tail. O(1) everything.
//!
//! The quantum is counted from the moment a process is picked; a process
//! that blocks or yields starts a fresh quantum when it next runs. A
//! process preempted before its quantum is used up (the protocol's own
//! reasons: `should_preempt` never asks) keeps its place at the head.
//!
//! Each process counts its own quantum in its slot, so several may run at
//! once, one per CPU: round robin works on SMP, over the one run queue
//! every CPU picks from.

use super::fifo::{Queue, Slot};
use super::{Decision, Full, Hint, Requeue, Scheduler, Slots};
use crate::pid::Pid;

/// Round robin with a quantum in ticks.
#[derive(Debug)]
pub struct RoundRobin<S = super::KernelSized> {
    q: Queue<S>,
    /// The quantum's length in ticks (at least 1).
    quantum: u64,
}

impl<const N: usize> RoundRobin<[Slot; N]> {
    /// Round robin over pids with index below `N`; a quantum of 0 counts
    /// as 1.
    pub const fn new(quantum: u64) -> Self {
        RoundRobin::in_slots([Slot::EMPTY; N], quantum)
    }
}

#[cfg(feature = "alloc")]
impl RoundRobin<alloc::boxed::Box<[Slot]>> {
    /// Round robin over pids with index below `n`, sized at run time.
    pub fn with_capacity(n: usize, quantum: u64) -> Self {
        RoundRobin::in_slots(super::boxed(Slot::EMPTY, n), quantum)
    }
}

impl<S: Slots<Slot>> RoundRobin<S> {
    const fn in_slots(slots: S, quantum: u64) -> Self {
        RoundRobin {
            q: Queue::new(slots),
            quantum: if quantum == 0 { 1 } else { quantum },
        }
    }

    /// Change the quantum (boot code: the command line's `quantum=N`); a
    /// quantum of 0 counts as 1. The running processes' quanta so far
    /// count against the new one.
    pub fn set_quantum(&mut self, quantum: u64) {
        self.quantum = quantum.max(1);
    }
}

impl<S: Slots<Slot>> Scheduler for RoundRobin<S> {
    fn name(&self) -> &'static str {
        "rr"
    }
    fn admit(&mut self, pid: Pid, _hint: Hint) -> Result<(), Full> {
        self.q.admit(pid)
    }
    fn pick_next(&mut self) -> Option<Pid> {
        self.q.pick_next()
    }
    fn tick(&mut self, running: Option<Pid>) -> Decision {
        let quantum = self.quantum;
        match running.and_then(|pid| self.q.used(pid)) {
            Some(used) => {
                *used = used.saturating_add(1);
                if u64::from(*used) >= quantum {
                    Decision::Preempt
                } else {
                    Decision::Continue
                }
            }
            None => Decision::Continue,
        }
    }
    fn supports_smp(&self) -> bool {
        true
    }
    fn put_back(&mut self, pid: Pid, why: Requeue) {
        let quantum = self.quantum;
        let early = why == Requeue::Preempted
            && self
                .q
                .used(pid)
                .is_some_and(|used| u64::from(*used) < quantum);
        self.q.put_back(pid, early)
    }
    fn block(&mut self, pid: Pid) {
        self.q.block(pid)
    }
    fn wake(&mut self, pid: Pid) {
        self.q.wake(pid)
    }
    fn exit(&mut self, pid: Pid) {
        self.q.exit(pid)
    }
    fn runnable(&self) -> usize {
        self.q.runnable()
    }
}

//! Round robin: FIFO order, and the running process is preempted after a
//! quantum of ticks and goes to the tail. O(1) everything.
//!
//! The quantum is counted from the moment a process is picked; a process
//! that blocks or yields starts a fresh quantum when it next runs. A
//! process preempted before its quantum is used up (the protocol's own
//! reasons: `should_preempt` never asks) keeps its place at the head.
//!
//! Several processes may run at once, one per CPU, each with its own
//! quantum (a table of [`MAX_CPUS`] runs): round robin works on SMP, over
//! the one run queue every CPU picks from.

use super::fifo::{Queue, Slot};
use super::quantum::Quantum;
use super::{Decision, Full, Hint, Requeue, Scheduler, Slots};
use crate::MAX_CPUS;
use crate::pid::Pid;

/// Round robin with a quantum in ticks.
#[derive(Debug)]
pub struct RoundRobin<S = super::KernelSized> {
    q: Queue<S>,
    /// A fresh quantum: the length every run starts with.
    quantum: Quantum,
    /// The running processes (one per CPU at most), each with its quantum.
    running: [Option<(Pid, Quantum)>; MAX_CPUS],
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
            quantum: Quantum::new(quantum),
            running: [None; MAX_CPUS],
        }
    }

    /// Change the quantum (boot code: the command line's `quantum=N`); a
    /// quantum of 0 counts as 1. The running process's quantum so far
    /// counts against the new one.
    pub fn set_quantum(&mut self, quantum: u64) {
        self.quantum.set_length(quantum);
        for (_, q) in self.running.iter_mut().flatten() {
            q.set_length(quantum);
        }
    }

    /// The run of `pid`, if it is running.
    fn run_of(&mut self, pid: Pid) -> Option<&mut Option<(Pid, Quantum)>> {
        self.running
            .iter_mut()
            .find(|r| r.is_some_and(|(p, _)| p == pid))
    }

    fn off_cpu(&mut self, pid: Pid) {
        if let Some(run) = self.run_of(pid) {
            *run = None;
        }
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
        let free = self.running.iter().position(Option::is_none)?;
        let pid = self.q.pick_next()?;
        self.running[free] = Some((pid, self.quantum));
        Some(pid)
    }
    fn tick(&mut self, running: Option<Pid>) -> Decision {
        match running.and_then(|pid| self.run_of(pid)) {
            Some(Some((_, quantum))) => quantum.charge(),
            _ => Decision::Continue,
        }
    }
    fn supports_smp(&self) -> bool {
        true
    }
    fn put_back(&mut self, pid: Pid, why: Requeue) {
        let early = why == Requeue::Preempted
            && self
                .run_of(pid)
                .is_some_and(|r| r.is_some_and(|(_, q)| !q.used_up()));
        self.off_cpu(pid);
        self.q.put_back(pid, early)
    }
    fn block(&mut self, pid: Pid) {
        self.off_cpu(pid);
        self.q.block(pid)
    }
    fn wake(&mut self, pid: Pid) {
        self.q.wake(pid)
    }
    fn exit(&mut self, pid: Pid) {
        self.off_cpu(pid);
        self.q.exit(pid)
    }
    fn runnable(&self) -> usize {
        self.q.runnable()
    }
}

//! A stand-in round robin until ldex-core's policies land.

use std::collections::VecDeque;

use ldex_core::Pid;
use ldex_core::sched::{Decision, Full, Hint, Requeue, Scheduler};

/// Round robin over a queue.
pub struct StubRoundRobin {
    queue: VecDeque<Pid>,
    quantum: u64,
    used: u64,
    capacity: usize,
}

impl StubRoundRobin {
    /// A round robin with this quantum.
    pub fn new(quantum: u64, capacity: usize) -> Self {
        StubRoundRobin {
            queue: VecDeque::new(),
            quantum,
            used: 0,
            capacity,
        }
    }
}

impl Scheduler for StubRoundRobin {
    fn name(&self) -> &'static str {
        "rr"
    }
    fn admit(&mut self, pid: Pid, _: Hint) -> Result<(), Full> {
        if self.queue.len() >= self.capacity {
            return Err(Full);
        }
        self.queue.push_back(pid);
        Ok(())
    }
    fn pick_next(&mut self) -> Option<Pid> {
        self.used = 0;
        self.queue.pop_front()
    }
    fn tick(&mut self, running: Option<Pid>) -> Decision {
        if running.is_none() {
            return Decision::Continue;
        }
        self.used += 1;
        if self.used >= self.quantum {
            Decision::Preempt
        } else {
            Decision::Continue
        }
    }
    fn put_back(&mut self, pid: Pid, _: Requeue) {
        self.queue.push_back(pid);
    }
    fn block(&mut self, _: Pid) {}
    fn wake(&mut self, pid: Pid) {
        self.queue.push_back(pid);
    }
    fn exit(&mut self, pid: Pid) {
        self.queue.retain(|&p| p != pid);
    }
    fn runnable(&self) -> usize {
        self.queue.len()
    }
}

//! Round robin: a local stand-in until the shared policies land in
//! ldex-core. A FIFO of runnable pids; the running process is preempted
//! after [`QUANTUM`] ticks (the command line's `quantum=N`).

use core::sync::atomic::{AtomicU64, Ordering};

use ldex_core::Pid;
use ldex_core::sched::{Decision, Full, Hint, Requeue, Scheduler};

/// The time slice in ticks; boot code may change it before `Kernel::run`.
pub static QUANTUM: AtomicU64 = AtomicU64::new(2);

/// Round robin over at most `N` processes.
pub struct RoundRobin<const N: usize> {
    queue: [Option<Pid>; N],
    head: usize,
    len: usize,
    used: u64,
}

impl<const N: usize> RoundRobin<N> {
    /// An empty policy.
    pub const fn new() -> Self {
        RoundRobin {
            queue: [None; N],
            head: 0,
            len: 0,
            used: 0,
        }
    }

    fn push(&mut self, pid: Pid) -> Result<(), Full> {
        if self.len == N {
            return Err(Full);
        }
        self.queue[(self.head + self.len) % N] = Some(pid);
        self.len += 1;
        Ok(())
    }

    fn remove(&mut self, pid: Pid) {
        let items: [Option<Pid>; N] = core::array::from_fn(|i| {
            if i < self.len {
                self.queue[(self.head + i) % N]
            } else {
                None
            }
        });
        self.head = 0;
        self.len = 0;
        for p in items.into_iter().flatten().filter(|&p| p != pid) {
            let _ = self.push(p);
        }
    }
}

impl<const N: usize> Scheduler for RoundRobin<N> {
    fn name(&self) -> &'static str {
        "rr"
    }

    fn admit(&mut self, pid: Pid, _hint: Hint) -> Result<(), Full> {
        self.push(pid)
    }

    fn pick_next(&mut self) -> Option<Pid> {
        if self.len == 0 {
            return None;
        }
        let pid = self.queue[self.head].take();
        self.head = (self.head + 1) % N;
        self.len -= 1;
        self.used = 0;
        pid
    }

    fn tick(&mut self, running: Option<Pid>) -> Decision {
        if running.is_none() {
            return Decision::Continue;
        }
        self.used += 1;
        if self.used >= QUANTUM.load(Ordering::Relaxed) && self.len > 0 {
            Decision::Preempt
        } else {
            Decision::Continue
        }
    }

    fn put_back(&mut self, pid: Pid, _why: Requeue) {
        let _ = self.push(pid);
    }

    fn block(&mut self, _pid: Pid) {}

    fn wake(&mut self, pid: Pid) {
        let _ = self.push(pid);
    }

    fn exit(&mut self, pid: Pid) {
        self.remove(pid);
    }

    fn runnable(&self) -> usize {
        self.len
    }
}

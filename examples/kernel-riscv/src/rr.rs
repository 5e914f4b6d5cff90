//! Round robin: the policy this kernel runs (a stand-in until ldex-core
//! ships its policies).
//!
//! A FIFO of runnable pids; the running process is preempted after
//! `quantum` ticks if anyone is waiting. The quantum is set at boot from the
//! command line ([`RoundRobin::set_quantum`]), as the policy itself lives
//! inside the kernel's `static`.

use core::sync::atomic::{AtomicUsize, Ordering};

use ldex_core::Pid;
use ldex_core::sched::{Decision, Full, Hint, Requeue, Scheduler};

/// Round robin over at most `N` processes.
#[derive(Debug)]
pub struct RoundRobin<const N: usize> {
    queue: [Option<Pid>; N],
    head: usize,
    len: usize,
    used: u64,
}

static QUANTUM: AtomicUsize = AtomicUsize::new(1);

impl<const N: usize> RoundRobin<N> {
    /// An empty queue.
    pub const fn new() -> Self {
        RoundRobin {
            queue: [None; N],
            head: 0,
            len: 0,
            used: 0,
        }
    }

    /// The time slice, in ticks (at least 1), for every round robin.
    pub fn set_quantum(ticks: u64) {
        QUANTUM.store(
            usize::try_from(ticks).unwrap_or(usize::MAX).max(1),
            Ordering::Relaxed,
        );
    }

    fn push(&mut self, pid: Pid) -> Result<(), Full> {
        if self.len == N {
            return Err(Full);
        }
        self.queue[(self.head + self.len) % N] = Some(pid);
        self.len += 1;
        Ok(())
    }

    fn push_known(&mut self, pid: Pid) {
        // A pid the policy admitted always has room: there are at most N.
        self.push(pid)
            .expect("round robin holds every admitted pid");
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
        if self.used >= QUANTUM.load(Ordering::Relaxed) as u64 && self.len > 0 {
            Decision::Preempt
        } else {
            Decision::Continue
        }
    }

    fn put_back(&mut self, pid: Pid, _why: Requeue) {
        self.push_known(pid);
    }

    fn block(&mut self, _pid: Pid) {}

    fn wake(&mut self, pid: Pid) {
        self.push_known(pid);
    }

    fn exit(&mut self, pid: Pid) {
        let mut kept = 0;
        for i in 0..self.len {
            let p = self.queue[(self.head + i) % N].take();
            if p != Some(pid) {
                self.queue[(self.head + kept) % N] = p;
                kept += 1;
            }
        }
        self.len = kept;
    }

    fn runnable(&self) -> usize {
        self.len
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pid(n: u32) -> Pid {
        Pid::new(n).unwrap()
    }

    #[test]
    fn picks_in_admission_order_and_requeues_at_the_back() {
        let mut rr = RoundRobin::<4>::new();
        for n in 1..=3 {
            rr.admit(pid(n), Hint::NONE).unwrap();
        }
        assert_eq!(rr.pick_next(), Some(pid(1)));
        rr.put_back(pid(1), Requeue::Yielded);
        assert_eq!(rr.pick_next(), Some(pid(2)));
        rr.exit(pid(2));
        assert_eq!(rr.pick_next(), Some(pid(3)));
        assert_eq!(rr.pick_next(), Some(pid(1)));
        assert_eq!(rr.pick_next(), None);
    }

    #[test]
    fn preempts_after_the_quantum_only_when_someone_waits() {
        RoundRobin::<4>::set_quantum(1);
        let mut rr = RoundRobin::<4>::new();
        rr.admit(pid(1), Hint::NONE).unwrap();
        assert_eq!(rr.pick_next(), Some(pid(1)));
        assert_eq!(rr.tick(Some(pid(1))), Decision::Continue);
        rr.admit(pid(2), Hint::NONE).unwrap();
        assert_eq!(rr.tick(Some(pid(1))), Decision::Preempt);
        assert_eq!(rr.tick(None), Decision::Continue);
    }

    #[test]
    fn exit_removes_a_waiting_pid_and_a_full_queue_refuses() {
        let mut rr = RoundRobin::<2>::new();
        rr.admit(pid(1), Hint::NONE).unwrap();
        rr.admit(pid(2), Hint::NONE).unwrap();
        assert_eq!(rr.admit(pid(3), Hint::NONE), Err(Full));
        rr.exit(pid(1));
        assert_eq!(rr.runnable(), 1);
        assert_eq!(rr.pick_next(), Some(pid(2)));
    }
}

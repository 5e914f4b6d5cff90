//! Stride scheduling (Waldspurger): each process has a stride inversely
//! proportional to its tickets and a pass that grows by its stride for
//! every tick it runs; the runnable process with the smallest pass runs
//! next. Over any interval, CPU shares follow the ticket ratios within one
//! quantum per process, deterministically.
//!
//! A process that arrives or wakes starts at the pass of the process picked
//! last, so sleeping earns no credit. Picking is O(1) and putting back
//! O(log n) (a 8-ary heap keyed by pass; ties go to the lower pid). One
//! process runs at a time: `pick_next` while one runs returns `None`.

use super::heap::HeapCell;
use super::keyed::{KeyedQueue, KeyedSlot};
use super::quantum::Quantum;
use super::{Decision, Full, Hint, Requeue, Scheduler, Slots, State};
use crate::pid::Pid;

/// The stride of a process with one ticket.
pub const STRIDE1: u64 = 1 << 20;

/// One pid's entry in a [`Stride`] table; its key is the pass, its data
/// the stride.
pub type Slot = KeyedSlot<u64>;

impl Slot {
    /// An unused slot.
    pub const EMPTY: Slot = KeyedSlot::empty(STRIDE1);
}

/// Stride scheduling with a quantum in ticks.
#[derive(Debug)]
pub struct Stride<S = super::KernelSized, H = super::KernelSized> {
    q: KeyedQueue<u64, S, H>,
    quantum: Quantum,
    global_pass: u64,
}

impl<const N: usize> Stride<[Slot; N], [HeapCell; N]> {
    /// Stride over pids with index below `N`; a quantum of 0 counts as 1.
    pub const fn new(quantum: u64) -> Self {
        Stride::in_slots([Slot::EMPTY; N], [HeapCell::EMPTY; N], quantum)
    }
}

#[cfg(feature = "alloc")]
impl Stride<alloc::boxed::Box<[Slot]>, alloc::boxed::Box<[HeapCell]>> {
    /// Stride over pids with index below `n`, sized at run time.
    pub fn with_capacity(n: usize, quantum: u64) -> Self {
        Stride::in_slots(
            super::boxed(Slot::EMPTY, n),
            super::boxed(HeapCell::EMPTY, n),
            quantum,
        )
    }
}

impl<S: Slots<Slot>, H: Slots<HeapCell>> Stride<S, H> {
    const fn in_slots(slots: S, cells: H, quantum: u64) -> Self {
        Stride {
            q: KeyedQueue::new(slots, cells),
            quantum: Quantum::new(quantum),
            global_pass: 0,
        }
    }
}

impl<S: Slots<Slot>, H: Slots<HeapCell>> Scheduler for Stride<S, H> {
    fn name(&self) -> &'static str {
        "stride"
    }
    fn admit(&mut self, pid: Pid, hint: Hint) -> Result<(), Full> {
        let (i, state) = self.q.state(pid).ok_or(Full)?;
        if state == State::Absent {
            let s = self.q.slot_mut(i);
            s.data = (STRIDE1 / u64::from(hint.tickets.max(1))).max(1);
            s.key = self.global_pass;
            self.q.enqueue(i);
        }
        Ok(())
    }
    fn pick_next(&mut self) -> Option<Pid> {
        let i = self.q.pick()?;
        self.global_pass = self.q.slot(i).key;
        self.quantum.start();
        Some(Pid::from_index(i))
    }
    fn tick(&mut self, running: Option<Pid>) -> Decision {
        let Some((i, State::Running)) = running.and_then(|p| self.q.state(p)) else {
            return Decision::Continue;
        };
        let s = self.q.slot_mut(i);
        s.key += s.data;
        self.quantum.charge()
    }
    fn put_back(&mut self, pid: Pid, _why: Requeue) {
        self.q.put_back(pid)
    }
    fn block(&mut self, pid: Pid) {
        self.q.leave(pid, State::Blocked)
    }
    fn wake(&mut self, pid: Pid) {
        if let Some((i, State::Blocked)) = self.q.state(pid) {
            let s = self.q.slot_mut(i);
            s.key = s.key.max(self.global_pass);
            self.q.enqueue(i);
        }
    }
    fn exit(&mut self, pid: Pid) {
        self.q.leave(pid, State::Absent)
    }
    fn runnable(&self) -> usize {
        self.q.runnable()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_shares_follow_ticket_ratios_within_one_tick() {
        let mut s = Stride::<[_; 3], [_; 3]>::new(1);
        for (i, tickets) in [(0, 1), (1, 2), (2, 3)] {
            s.admit(
                Pid::from_index(i),
                Hint {
                    length: None,
                    tickets,
                },
            )
            .unwrap();
        }
        let mut got = [0u64; 3];
        for _ in 0..600 {
            let p = s.pick_next().unwrap();
            got[p.index()] += 1;
            assert_eq!(s.tick(Some(p)), Decision::Preempt);
            s.put_back(p, Requeue::Preempted);
        }
        for (g, want) in got.iter().zip([100, 200, 300]) {
            assert!(g.abs_diff(want) <= 1, "{got:?}");
        }
    }

    #[test]
    fn a_woken_process_gets_no_credit_for_sleeping() {
        let mut s = Stride::<[_; 2], [_; 2]>::new(1);
        s.admit(Pid::from_index(0), Hint::NONE).unwrap();
        s.admit(Pid::from_index(1), Hint::NONE).unwrap();
        let a = s.pick_next().unwrap();
        s.block(a);
        let b = s.pick_next().unwrap();
        for _ in 0..100 {
            let _ = s.tick(Some(b));
            s.put_back(b, Requeue::Preempted);
            assert_eq!(s.pick_next(), Some(b));
        }
        s.wake(a);
        let _ = s.tick(Some(b));
        s.put_back(b, Requeue::Preempted);
        let mut runs_of_a = 0;
        for _ in 0..10 {
            let p = s.pick_next().unwrap();
            runs_of_a += usize::from(p == a);
            let _ = s.tick(Some(p));
            s.put_back(p, Requeue::Preempted);
        }
        assert!(
            (4..=6).contains(&runs_of_a),
            "a ran {runs_of_a} of 10 ticks after waking"
        );
    }
}

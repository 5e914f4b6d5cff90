//! Shortest job first (SJF) and shortest time-to-completion first (STCF).
//!
//! Both run the runnable process with the least work left, using the
//! length [`Hint`]; a process without a length counts as the longest. Ties
//! go to the lower pid, so equal lengths keep id order (OSTEP's stable
//! sort). SJF never preempts; STCF charges each tick
//! to the running process and, after an arrival or a wake-up, preempts it
//! when a runnable process has strictly less work left.
//! Picking is O(1) and putting back O(log n) (a 8-ary heap keyed by work
//! left). One process runs at a time: `pick_next` while one runs returns
//! `None`.

use super::heap::HeapCell;
use super::keyed::{KeyedQueue, KeyedSlot};
use super::{Decision, Full, Hint, Requeue, Scheduler, Slots, State};
use crate::pid::Pid;

/// One pid's entry in a [`Sjf`] table; its key is the work left.
pub type Slot = KeyedSlot<()>;

impl Slot {
    /// An unused slot.
    pub const EMPTY: Slot = KeyedSlot::empty(());
}

/// Shortest job first, or with [`Sjf::stcf`] shortest time-to-completion
/// first.
#[derive(Debug)]
pub struct Sjf<S = super::KernelSized, H = super::KernelSized> {
    q: KeyedQueue<(), S, H>,
    preemptive: bool,
}

impl<const N: usize> Sjf<[Slot; N], [HeapCell; N]> {
    /// Non-preemptive SJF over pids with index below `N`.
    pub const fn new() -> Self {
        Sjf::in_slots([Slot::EMPTY; N], [HeapCell::EMPTY; N], false)
    }

    /// Preemptive STCF over pids with index below `N`.
    pub const fn stcf() -> Self {
        Sjf::in_slots([Slot::EMPTY; N], [HeapCell::EMPTY; N], true)
    }
}

impl<const N: usize> Default for Sjf<[Slot; N], [HeapCell; N]> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(feature = "alloc")]
impl Sjf<alloc::boxed::Box<[Slot]>, alloc::boxed::Box<[HeapCell]>> {
    /// SJF (or, with `preemptive`, STCF) for pids with index below `n`,
    /// sized at run time.
    pub fn with_capacity(n: usize, preemptive: bool) -> Self {
        Sjf::in_slots(
            super::boxed(Slot::EMPTY, n),
            super::boxed(HeapCell::EMPTY, n),
            preemptive,
        )
    }
}

impl<S: Slots<Slot>, H: Slots<HeapCell>> Sjf<S, H> {
    const fn in_slots(slots: S, cells: H, preemptive: bool) -> Self {
        Sjf {
            q: KeyedQueue::new(slots, cells),
            preemptive,
        }
    }
}

impl<S: Slots<Slot>, H: Slots<HeapCell>> Scheduler for Sjf<S, H> {
    fn name(&self) -> &'static str {
        if self.preemptive { "stcf" } else { "sjf" }
    }
    fn admit(&mut self, pid: Pid, hint: Hint) -> Result<(), Full> {
        let (i, state) = self.q.state(pid).ok_or(Full)?;
        if state == State::Absent {
            self.q.slot_mut(i).key = hint.length.unwrap_or(u64::MAX);
            self.q.enqueue(i);
        }
        Ok(())
    }
    fn pick_next(&mut self) -> Option<Pid> {
        self.q.pick().map(Pid::from_index)
    }
    fn tick(&mut self, running: Option<Pid>) -> Decision {
        if let Some((i, State::Running)) = running.and_then(|p| self.q.state(p)) {
            let s = self.q.slot_mut(i);
            s.key = s.key.saturating_sub(1);
        }
        Decision::Continue
    }
    fn should_preempt(&self, running: Pid) -> Decision {
        let Some((i, State::Running)) = self.q.state(running) else {
            return Decision::Continue;
        };
        match self.q.min_key_besides(i) {
            Some(key) if self.preemptive && key < self.q.slot(i).key => Decision::Preempt,
            _ => Decision::Continue,
        }
    }
    fn put_back(&mut self, pid: Pid, _why: Requeue) {
        self.q.put_back(pid)
    }
    fn block(&mut self, pid: Pid) {
        self.q.leave(pid, State::Blocked)
    }
    fn wake(&mut self, pid: Pid) {
        if let Some((i, State::Blocked)) = self.q.state(pid) {
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

    fn admit(s: &mut Sjf<[Slot; 4], [HeapCell; 4]>, i: usize, length: u64) {
        s.admit(
            Pid::from_index(i),
            Hint {
                length: Some(length),
                tickets: 1,
            },
        )
        .unwrap();
    }

    #[test]
    fn sjf_runs_shortest_first_and_keeps_admission_order_on_ties() {
        let mut s = Sjf::<[Slot; 4], [HeapCell; 4]>::new();
        for (i, len) in [(0, 50), (1, 10), (2, 50), (3, 10)] {
            admit(&mut s, i, len);
        }
        let order: [Option<usize>; 5] = core::array::from_fn(|_| {
            let p = s.pick_next()?;
            s.exit(p);
            Some(p.index())
        });
        assert_eq!(order, [Some(1), Some(3), Some(0), Some(2), None]);
    }

    #[test]
    fn stcf_preempts_on_arrival_of_a_shorter_job_but_sjf_does_not() {
        for (mut s, preempts) in [(Sjf::<[_; 4], [_; 4]>::stcf(), true), (Sjf::new(), false)] {
            admit(&mut s, 0, 100);
            let p = s.pick_next().unwrap();
            for _ in 0..80 {
                assert_eq!(s.tick(Some(p)), Decision::Continue);
            }
            admit(&mut s, 1, 30);
            assert_eq!(s.should_preempt(p), Decision::Continue, "20 left beats 30");
            admit(&mut s, 2, 10);
            let want = if preempts {
                Decision::Preempt
            } else {
                Decision::Continue
            };
            assert_eq!(s.should_preempt(p), want, "10 beats 20 left");
            if preempts {
                s.put_back(p, Requeue::Preempted);
                assert_eq!(s.pick_next(), Some(Pid::from_index(2)));
            }
        }
    }
}

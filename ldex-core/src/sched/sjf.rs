//! Shortest job first (SJF) and shortest time-to-completion first (STCF).
//!
//! Both run the runnable process with the least work left, using the
//! length [`Hint`]; a process without a length counts as the longest. Ties
//! go to the lower pid, so equal lengths keep id order (OSTEP's stable
//! sort). SJF never preempts; STCF charges each tick
//! to the running process and, after an arrival or a wake-up, preempts it
//! when a runnable process has strictly less work left.
//! Picking is O(1) and putting back O(log n) (an 8-ary heap keyed by work
//! left, see `heap.rs`). One process runs at a time: `pick_next` while one
//! runs returns `None`.

use super::heap::{HeapCell, KeySlot, RunHeap};
use super::{Decision, Full, Hint, Requeue, Scheduler, Slots, State};
use crate::pid::Pid;

/// One pid's entry in a [`Sjf`] table.
#[derive(Clone, Copy, Debug)]
pub struct Slot {
    left: u64,
    generation: u32,
    state: State,
}

impl Slot {
    /// An unused slot.
    pub const EMPTY: Slot = Slot {
        left: 0,
        generation: 0,
        state: State::Absent,
    };
}

impl KeySlot for Slot {
    fn key(&self) -> u64 {
        self.left
    }
    fn generation(&self) -> u32 {
        self.generation
    }
    fn state(&self) -> State {
        self.state
    }
    fn set(&mut self, state: State, generation: u32) {
        self.state = state;
        self.generation = generation;
    }
}

/// Shortest job first, or with [`Sjf::stcf`] shortest time-to-completion
/// first.
#[derive(Debug)]
pub struct Sjf<S, H> {
    q: RunHeap<Slot, S, H>,
    preemptive: bool,
    /// A process with less work left than the running one arrived or woke.
    shorter_waiting: bool,
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
            q: RunHeap::new(slots, cells),
            preemptive,
            shorter_waiting: false,
        }
    }

    /// Queue `i` and note whether it should take the CPU from the running one.
    fn enqueue(&mut self, i: usize) {
        self.q.enqueue(i);
        if let Some(r) = self.q.running() {
            self.shorter_waiting |= self.q.slot(i).left < self.q.slot(r).left;
        }
    }

    fn leave(&mut self, pid: Pid, to: State) {
        match self.q.state(pid) {
            Some((i, State::Runnable | State::Running)) => self.q.remove(i, to),
            Some((i, State::Blocked)) if to == State::Absent => {
                self.q.slot_mut(i).state = State::Absent;
            }
            _ => {}
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
            self.q.slot_mut(i).left = hint.length.unwrap_or(u64::MAX);
            self.enqueue(i);
        }
        Ok(())
    }
    fn pick_next(&mut self) -> Option<Pid> {
        let i = self.q.pick()?;
        self.shorter_waiting = false;
        Some(Pid::from_index(i))
    }
    fn tick(&mut self, running: Option<Pid>) -> Decision {
        if let Some((i, State::Running)) = running.and_then(|p| self.q.state(p)) {
            let s = self.q.slot_mut(i);
            s.left = s.left.saturating_sub(1);
        }
        Decision::Continue
    }
    fn should_preempt(&self, running: Pid) -> Decision {
        let runs = self.q.running() == Some(running.index());
        if self.preemptive && runs && self.shorter_waiting {
            Decision::Preempt
        } else {
            Decision::Continue
        }
    }
    fn put_back(&mut self, pid: Pid, _why: Requeue) {
        if let Some((i, State::Running)) = self.q.state(pid) {
            self.shorter_waiting = false;
            self.q.put_back(i);
        }
    }
    fn block(&mut self, pid: Pid) {
        self.leave(pid, State::Blocked)
    }
    fn wake(&mut self, pid: Pid) {
        if let Some((i, State::Blocked)) = self.q.state(pid) {
            self.enqueue(i);
        }
    }
    fn exit(&mut self, pid: Pid) {
        self.leave(pid, State::Absent)
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

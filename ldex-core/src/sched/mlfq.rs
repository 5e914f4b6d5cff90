//! The multi-level feedback queue of OSTEP chapter 8.
//!
//! Rules (level 0 is the top here; [`Scheduler::priority`] reports OSTEP's
//! numbering, top = `levels - 1`):
//!
//! * A new process enters the top queue with the top level's full quantum
//!   and allotment. The head of the highest non-empty queue runs: a bitmap
//!   of non-empty levels makes the pick O(1).
//! * The running process **stays at the head of its queue**, as in
//!   `mlfq.py`, so a process preempted by a higher queue keeps its place
//!   and its partly used quantum ([`Requeue::Preempted`] without expiry is
//!   a no-op). There is one running process at a time: `pick_next` while
//!   one runs returns `None`.
//! * Every tick it runs uses one tick of its quantum. When the quantum is
//!   used up, one unit of its allotment (counted in quanta) is used: with
//!   none left it drops a level and gets that level's full quantum and
//!   allotment, otherwise a fresh quantum; then it goes to the tail of its
//!   (possibly new) queue. The expiry is settled when the process leaves
//!   the CPU (`put_back` or `block`) so that an I/O started in the same
//!   tick is seen first: with `stay_on_io` the I/O resets the quantum and
//!   allotment and the expiry still counts against the fresh allotment
//!   (`mlfq.py -S`).
//! * A woken process goes to the tail of its queue, or with `io_bump` to
//!   the head (then it preempts a running process of the same level).
//! * Every `boost_period` ticks all queues are moved, lowest first, to the
//!   tail of the top queue, and every process (running, runnable or
//!   blocked) gets the top level's full quantum and allotment. Moving is
//!   O(levels) list splices; the per-process reset is lazy, through a boost
//!   epoch, so a boost is O(levels) too.

use super::list::{Link, Linked, List};
use super::{Decision, Full, Hint, Requeue, Scheduler, Slots, State, slot};
use crate::pid::Pid;

/// The most queues an MLFQ can have (one bit each in the level bitmap).
pub const MAX_LEVELS: usize = 64;

/// The settings of an [`Mlfq`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MlfqConfig {
    /// How many queues, 1 to [`MAX_LEVELS`].
    pub levels: usize,
    /// The quantum of each level in ticks, top first (0 counts as 1).
    pub quantum: [u32; MAX_LEVELS],
    /// The allotment of each level in quanta, top first (0 counts as 1).
    pub allotment: [u32; MAX_LEVELS],
    /// Boost every this many ticks; 0 never boosts.
    pub boost_period: u64,
    /// An I/O resets the quantum and allotment (`mlfq.py -S`).
    pub stay_on_io: bool,
    /// A process that finishes I/O goes to the head of its queue
    /// (`mlfq.py -I`).
    pub io_bump: bool,
}

impl MlfqConfig {
    /// `levels` queues (clamped to 1..=[`MAX_LEVELS`]) with the same
    /// quantum and an allotment of one quantum each, no boost, no I/O
    /// options.
    pub const fn uniform(levels: usize, quantum: u32) -> MlfqConfig {
        let levels = if levels == 0 {
            1
        } else if levels > MAX_LEVELS {
            MAX_LEVELS
        } else {
            levels
        };
        MlfqConfig {
            levels,
            quantum: [quantum; MAX_LEVELS],
            allotment: [1; MAX_LEVELS],
            boost_period: 0,
            stay_on_io: false,
            io_bump: false,
        }
    }

    fn quantum(&self, level: usize) -> u32 {
        self.quantum[level].max(1)
    }

    fn allotment(&self, level: usize) -> u32 {
        self.allotment[level].max(1)
    }
}

/// One pid's entry in an [`Mlfq`] table.
#[derive(Clone, Copy, Debug)]
pub struct Slot {
    link: Link,
    state: State,
    level: u8,
    expired: bool,
    ticks_left: u32,
    allot_left: u32,
    epoch: u32,
}

impl Slot {
    /// An unused slot.
    pub const EMPTY: Slot = Slot {
        link: Link::NONE,
        state: State::Absent,
        level: 0,
        expired: false,
        ticks_left: 0,
        allot_left: 0,
        epoch: 0,
    };
}

impl Linked for Slot {
    fn link(&mut self) -> &mut Link {
        &mut self.link
    }
}

/// The multi-level feedback queue.
#[derive(Debug)]
pub struct Mlfq<S = super::KernelSized> {
    slots: S,
    config: MlfqConfig,
    queues: [List; MAX_LEVELS],
    /// Bit k: queue k is non-empty.
    nonempty: u64,
    /// Queued processes, the running one included.
    queued: usize,
    running: Option<usize>,
    epoch: u32,
    /// Ticks until the next boost (counts down; unused without boosts).
    until_boost: u64,
}

impl<const N: usize> Mlfq<[Slot; N]> {
    /// An MLFQ over pids with index below `N`.
    pub const fn new(config: MlfqConfig) -> Self {
        Mlfq::in_slots([Slot::EMPTY; N], config)
    }
}

#[cfg(feature = "alloc")]
impl Mlfq<alloc::boxed::Box<[Slot]>> {
    /// An MLFQ over pids with index below `n`, sized at run time.
    pub fn with_capacity(n: usize, config: MlfqConfig) -> Self {
        Mlfq::in_slots(super::boxed(Slot::EMPTY, n), config)
    }
}

impl<S: Slots<Slot>> Mlfq<S> {
    const fn in_slots(slots: S, mut config: MlfqConfig) -> Self {
        if config.levels == 0 {
            config.levels = 1;
        } else if config.levels > MAX_LEVELS {
            config.levels = MAX_LEVELS;
        }
        Mlfq {
            slots,
            config,
            queues: [List::EMPTY; MAX_LEVELS],
            nonempty: 0,
            queued: 0,
            running: None,
            epoch: 0,
            until_boost: config.boost_period,
        }
    }

    /// The quantum ticks and allotment quanta `pid` has left at its level
    /// (what `mlfq.py` prints as TICKS and ALLOT), if it is admitted.
    pub fn budget(&self, pid: Pid) -> Option<(u32, u32)> {
        let i = slot(pid, self.slots.as_ref().len())?;
        let s = &self.slots.as_ref()[i];
        match s.state {
            State::Absent => None,
            _ if s.epoch != self.epoch => Some((self.config.quantum(0), self.config.allotment(0))),
            _ => Some((s.ticks_left, s.allot_left)),
        }
    }

    /// The slot of `pid` with any boost since it was last looked at applied.
    fn fresh(&mut self, pid: Pid) -> Option<(usize, State)> {
        let i = slot(pid, self.slots.as_ref().len())?;
        let (epoch, q, a) = (self.epoch, self.config.quantum(0), self.config.allotment(0));
        let s = &mut self.slots.as_mut()[i];
        if s.state != State::Absent && s.epoch != epoch {
            *s = Slot {
                epoch,
                level: 0,
                ticks_left: q,
                allot_left: a,
                expired: false,
                ..*s
            };
        }
        Some((i, s.state))
    }

    fn push(&mut self, i: usize, front: bool) {
        let level = usize::from(self.slots.as_ref()[i].level);
        let q = &mut self.queues[level];
        if front {
            q.push_front(self.slots.as_mut(), i);
        } else {
            q.push_back(self.slots.as_mut(), i);
        }
        self.nonempty |= 1 << level;
        self.queued += 1;
    }

    fn unlink(&mut self, i: usize) {
        let level = usize::from(self.slots.as_ref()[i].level);
        let q = &mut self.queues[level];
        q.remove(self.slots.as_mut(), i);
        if q.is_empty() {
            self.nonempty &= !(1 << level);
        }
        self.queued -= 1;
    }

    /// Refill the quantum and allotment of `i`'s level.
    fn refill(&mut self, i: usize) {
        let s = &mut self.slots.as_mut()[i];
        let level = usize::from(s.level);
        s.ticks_left = self.config.quantum(level);
        s.allot_left = self.config.allotment(level);
    }

    /// Settle an expired quantum of `i` (not queued): use one quantum of
    /// the allotment, dropping a level when it is gone.
    fn settle(&mut self, i: usize) {
        let lowest = self.config.levels - 1;
        let s = &mut self.slots.as_mut()[i];
        if !s.expired {
            return;
        }
        s.expired = false;
        s.allot_left = s.allot_left.saturating_sub(1);
        if s.allot_left == 0 {
            s.level = (usize::from(s.level) + 1).min(lowest) as u8;
            self.refill(i);
        } else {
            s.ticks_left = self.config.quantum(usize::from(s.level));
        }
    }

    /// The head of the highest non-empty queue.
    fn head(&self) -> Option<usize> {
        if self.nonempty == 0 {
            return None;
        }
        self.queues[self.nonempty.trailing_zeros() as usize].head()
    }

    fn boost(&mut self) {
        if let Some(r) = self.running.filter(|&r| self.slots.as_ref()[r].expired) {
            self.unlink(r);
            self.settle(r);
            self.push(r, false);
        }
        let [top, rest @ ..] = &mut self.queues;
        for q in rest[..self.config.levels - 1].iter_mut().rev() {
            top.append(self.slots.as_mut(), q);
        }
        self.nonempty = if top.is_empty() { 0 } else { 1 };
        self.epoch = self.epoch.wrapping_add(1);
        if let Some(r) = self.running {
            self.fresh(Pid::from_index(r));
        }
    }
}

impl<S: Slots<Slot>> Scheduler for Mlfq<S> {
    fn name(&self) -> &'static str {
        "mlfq"
    }

    fn admit(&mut self, pid: Pid, _hint: Hint) -> Result<(), Full> {
        let (i, state) = self.fresh(pid).ok_or(Full)?;
        if state == State::Absent {
            let epoch = self.epoch;
            let s = &mut self.slots.as_mut()[i];
            *s = Slot {
                state: State::Runnable,
                level: 0,
                expired: false,
                epoch,
                ..*s
            };
            self.refill(i);
            self.push(i, false);
        }
        Ok(())
    }

    fn pick_next(&mut self) -> Option<Pid> {
        if self.running.is_some() {
            return None;
        }
        let i = self.head()?;
        self.slots.as_mut()[i].state = State::Running;
        self.running = Some(i);
        Some(Pid::from_index(i))
    }

    fn tick(&mut self, running: Option<Pid>) -> Decision {
        let ran = match running.and_then(|p| self.fresh(p)) {
            Some((i, State::Running)) => Some(i),
            _ => None,
        };
        let mut decision = Decision::Continue;
        if let Some(i) = ran {
            let s = &mut self.slots.as_mut()[i];
            s.ticks_left = s.ticks_left.saturating_sub(1);
            if s.ticks_left == 0 {
                s.expired = true;
                decision = Decision::Preempt;
            }
        }
        let period = self.config.boost_period;
        if period > 0 {
            self.until_boost -= 1;
        }
        if period > 0 && self.until_boost == 0 {
            self.until_boost = period;
            self.boost();
            decision = match ran {
                Some(i) if self.head() == Some(i) => Decision::Continue,
                Some(_) => Decision::Preempt,
                None => Decision::Continue,
            };
        }
        decision
    }

    fn should_preempt(&self, running: Pid) -> Decision {
        match self.running {
            Some(r) if r == running.index() && self.head() != Some(r) => Decision::Preempt,
            _ => Decision::Continue,
        }
    }

    fn put_back(&mut self, pid: Pid, why: Requeue) {
        let Some((i, State::Running)) = self.fresh(pid) else {
            return;
        };
        self.running = None;
        self.slots.as_mut()[i].state = State::Runnable;
        if self.slots.as_ref()[i].expired || why == Requeue::Yielded {
            self.unlink(i);
            self.settle(i);
            self.push(i, false);
        }
    }

    fn block(&mut self, pid: Pid) {
        let Some((i, state @ (State::Running | State::Runnable))) = self.fresh(pid) else {
            return;
        };
        self.unlink(i);
        if state == State::Running {
            self.running = None;
            if self.config.stay_on_io {
                self.refill(i);
            }
            self.settle(i);
        }
        self.slots.as_mut()[i].state = State::Blocked;
    }

    fn wake(&mut self, pid: Pid) {
        if let Some((i, State::Blocked)) = self.fresh(pid) {
            self.slots.as_mut()[i].state = State::Runnable;
            self.push(i, self.config.io_bump);
        }
    }

    fn exit(&mut self, pid: Pid) {
        let Some((i, state)) = self.fresh(pid) else {
            return;
        };
        match state {
            State::Running => {
                self.running = None;
                self.unlink(i);
            }
            State::Runnable => self.unlink(i),
            State::Blocked => {}
            State::Absent => return,
        }
        self.slots.as_mut()[i] = Slot::EMPTY;
    }

    fn runnable(&self) -> usize {
        self.queued - usize::from(self.running.is_some())
    }

    fn priority(&self, pid: Pid) -> Option<u32> {
        let i = slot(pid, self.slots.as_ref().len())?;
        let s = &self.slots.as_ref()[i];
        if s.state == State::Absent {
            return None;
        }
        let level = if s.epoch == self.epoch {
            usize::from(s.level)
        } else {
            0
        };
        Some((self.config.levels - 1 - level) as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pid(i: usize) -> Pid {
        Pid::from_index(i)
    }

    /// Run `p` for `n` ticks, acting on preemptions; returns the last decision.
    fn run(s: &mut Mlfq<[Slot; 4]>, p: Pid, n: usize) -> Decision {
        let mut d = Decision::Continue;
        for _ in 0..n {
            d = s.tick(Some(p));
        }
        d
    }

    #[test]
    fn a_job_drops_a_level_when_its_allotment_is_used() {
        let config = MlfqConfig {
            allotment: [2; MAX_LEVELS],
            ..MlfqConfig::uniform(3, 2)
        };
        let mut s = Mlfq::<[Slot; 4]>::new(config);
        s.admit(pid(0), Hint::NONE).unwrap();
        let p = s.pick_next().unwrap();
        assert_eq!(s.priority(p), Some(2));
        assert_eq!(run(&mut s, p, 2), Decision::Preempt);
        s.put_back(p, Requeue::Preempted);
        assert_eq!(s.priority(p), Some(2), "one quantum of two used");
        assert_eq!(s.pick_next(), Some(p));
        assert_eq!(run(&mut s, p, 2), Decision::Preempt);
        s.put_back(p, Requeue::Preempted);
        assert_eq!(s.priority(p), Some(1));
        assert_eq!(s.budget(p), Some((2, 2)));
    }

    #[test]
    fn a_higher_arrival_preempts_and_the_preempted_job_keeps_its_place_and_quantum() {
        let mut s = Mlfq::<[Slot; 4]>::new(MlfqConfig::uniform(2, 4));
        for i in 0..2 {
            s.admit(pid(i), Hint::NONE).unwrap();
        }
        let a = s.pick_next().unwrap();
        assert_eq!(run(&mut s, a, 4), Decision::Preempt);
        s.put_back(a, Requeue::Preempted);
        let b = s.pick_next().unwrap();
        assert_eq!(run(&mut s, b, 4), Decision::Preempt);
        s.put_back(b, Requeue::Preempted);
        let a2 = s.pick_next().unwrap();
        assert_eq!((a2, s.priority(a2)), (a, Some(0)));
        assert_eq!(run(&mut s, a, 1), Decision::Continue);
        s.admit(pid(2), Hint::NONE).unwrap();
        assert_eq!(s.should_preempt(a), Decision::Preempt);
        s.put_back(a, Requeue::Preempted);
        assert_eq!(s.pick_next(), Some(pid(2)));
        s.exit(pid(2));
        assert_eq!(s.pick_next(), Some(a), "still at the head of its queue");
        assert_eq!(s.budget(a), Some((3, 1)), "kept its partly used quantum");
    }

    #[test]
    fn io_bump_puts_a_woken_job_ahead_of_the_running_one() {
        let config = MlfqConfig {
            io_bump: true,
            ..MlfqConfig::uniform(1, 10)
        };
        let mut s = Mlfq::<[Slot; 4]>::new(config);
        for i in 0..2 {
            s.admit(pid(i), Hint::NONE).unwrap();
        }
        let a = s.pick_next().unwrap();
        s.block(a);
        let b = s.pick_next().unwrap();
        assert_eq!(s.should_preempt(b), Decision::Continue);
        s.wake(a);
        assert_eq!(s.should_preempt(b), Decision::Preempt);
    }

    #[test]
    fn a_boost_lifts_every_job_including_blocked_ones() {
        let config = MlfqConfig {
            boost_period: 10,
            ..MlfqConfig::uniform(3, 1)
        };
        let mut s = Mlfq::<[Slot; 4]>::new(config);
        for i in 0..2 {
            s.admit(pid(i), Hint::NONE).unwrap();
        }
        let a = s.pick_next().unwrap();
        let _ = run(&mut s, a, 1);
        s.block(a);
        assert_eq!(s.priority(a), Some(1));
        let b = s.pick_next().unwrap();
        for _ in 0..8 {
            if run(&mut s, b, 1) == Decision::Preempt {
                s.put_back(b, Requeue::Preempted);
                assert_eq!(s.pick_next(), Some(b));
            }
        }
        assert_eq!(s.priority(b), Some(0));
        assert_eq!(
            run(&mut s, b, 1),
            Decision::Continue,
            "tick 10 boosts b to the top"
        );
        assert_eq!((s.priority(a), s.priority(b)), (Some(2), Some(2)));
        assert_eq!(s.budget(b), Some((1, 1)));
    }
}

//! Lottery scheduling (Waldspurger): every pick draws a random number `r`
//! from a [`RandomSource`]; the winning ticket is `r mod T`, `T` being the
//! tickets of all runnable processes, and the winner is the process in
//! whose range the ticket falls, counting tickets in pid order (as OSTEP's
//! `lottery.py` walks its job list). The winner runs for a quantum.
//!
//! The tickets live in a Fenwick tree indexed by pid, so a draw finds its
//! winner in O(log n) without walking the list. The random source is a type
//! parameter: [`XorShift64`] for a kernel, [`Replay`] to replay a recorded
//! sequence of draws exactly.

use super::{Decision, Full, Hint, Requeue, Scheduler, Slots, State, slot};
use crate::pid::Pid;

/// Where a lottery's random numbers come from.
pub trait RandomSource {
    /// The next raw draw; the policy takes it modulo the ticket total.
    fn next_u64(&mut self) -> u64;
}

/// Marsaglia's xorshift64: tiny, fast and good enough to pick winners.
#[derive(Clone, Copy, Debug)]
pub struct XorShift64(u64);

impl XorShift64 {
    /// A generator from `seed` (0 is replaced by a fixed non-zero seed).
    pub const fn new(seed: u64) -> Self {
        XorShift64(if seed == 0 { 0x9E37_79B9_7F4A_7C15 } else { seed })
    }
}

impl RandomSource for XorShift64 {
    fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
}

/// A recorded sequence of draws, replayed in order; after the last one it
/// starts again from the first. An empty record draws 0.
#[derive(Clone, Debug)]
pub struct Replay<D> {
    draws: D,
    next: usize,
}

impl<D: AsRef<[u64]>> Replay<D> {
    /// Replay `draws` from the first.
    pub const fn new(draws: D) -> Self {
        Replay { draws, next: 0 }
    }

    /// How many draws were taken so far.
    pub fn taken(&self) -> usize {
        self.next
    }
}

impl<D: AsRef<[u64]>> RandomSource for Replay<D> {
    fn next_u64(&mut self) -> u64 {
        let draws = self.draws.as_ref();
        if draws.is_empty() {
            return 0;
        }
        let r = draws[self.next % draws.len()];
        self.next += 1;
        r
    }
}

/// One pid's entry in a [`Lottery`] table.
#[derive(Clone, Copy, Debug)]
pub struct Slot {
    /// Fenwick node k+1 (tickets of a range of pids ending at this one).
    tree: u64,
    tickets: u64,
    state: State,
}

impl Slot {
    /// An unused slot.
    pub const EMPTY: Slot = Slot { tree: 0, tickets: 0, state: State::Absent };
}

/// Lottery scheduling with a quantum in ticks.
#[derive(Debug)]
pub struct Lottery<S, R> {
    slots: S,
    rng: R,
    total: u64,
    runnable: usize,
    quantum: u64,
    used: u64,
}

impl<const N: usize, R: RandomSource> Lottery<[Slot; N], R> {
    /// A lottery over pids with index below `N`; a quantum of 0 counts as 1.
    pub const fn new(quantum: u64, rng: R) -> Self {
        Lottery::in_slots([Slot::EMPTY; N], quantum, rng)
    }
}

#[cfg(feature = "alloc")]
impl<R: RandomSource> Lottery<alloc::boxed::Box<[Slot]>, R> {
    /// A lottery over pids with index below `n`, sized at run time.
    pub fn with_capacity(n: usize, quantum: u64, rng: R) -> Self {
        Lottery::in_slots(super::boxed(Slot::EMPTY, n), quantum, rng)
    }
}

impl<S: Slots<Slot>, R: RandomSource> Lottery<S, R> {
    const fn in_slots(slots: S, quantum: u64, rng: R) -> Self {
        let quantum = if quantum == 0 { 1 } else { quantum };
        Lottery { slots, rng, total: 0, runnable: 0, quantum, used: 0 }
    }

    /// The random source, e.g. to see how many recorded draws were used.
    pub fn rng(&self) -> &R {
        &self.rng
    }

    fn state(&self, pid: Pid) -> Option<(usize, State)> {
        let i = slot(pid, self.slots.as_ref().len())?;
        Some((i, self.slots.as_ref()[i].state))
    }

    /// Put `i`'s tickets in the draw (`add`) or take them out.
    fn draw_in(&mut self, i: usize, add: bool) {
        let t = self.slots.as_mut();
        let n = t.len();
        let tickets = t[i].tickets;
        let mut k = i + 1;
        while k <= n {
            let node = &mut t[k - 1].tree;
            *node = if add { *node + tickets } else { *node - tickets };
            k += k & k.wrapping_neg();
        }
        if add {
            self.total += tickets;
            self.runnable += 1;
        } else {
            self.total -= tickets;
            self.runnable -= 1;
        }
    }

    /// The slot holding ticket number `winner` (< total).
    fn owner(&self, mut winner: u64) -> usize {
        let t = self.slots.as_ref();
        let n = t.len();
        let mut pos = 0;
        let mut step = if n == 0 { 0 } else { 1 << n.ilog2() };
        while step > 0 {
            let next = pos + step;
            if next <= n && t[next - 1].tree <= winner {
                pos = next;
                winner -= t[next - 1].tree;
            }
            step >>= 1;
        }
        pos
    }

    fn enqueue(&mut self, i: usize) {
        self.slots.as_mut()[i].state = State::Runnable;
        self.draw_in(i, true);
    }

    fn leave(&mut self, pid: Pid, to: State) {
        let Some((i, state)) = self.state(pid) else { return };
        match state {
            State::Runnable => self.draw_in(i, false),
            State::Running => {}
            State::Blocked if to == State::Absent => {}
            _ => return,
        }
        self.slots.as_mut()[i].state = to;
    }
}

impl<S: Slots<Slot>, R: RandomSource> Scheduler for Lottery<S, R> {
    fn name(&self) -> &'static str {
        "lottery"
    }
    fn admit(&mut self, pid: Pid, hint: Hint) -> Result<(), Full> {
        let (i, state) = self.state(pid).ok_or(Full)?;
        if state == State::Absent {
            self.slots.as_mut()[i].tickets = u64::from(hint.tickets.max(1));
            self.enqueue(i);
        }
        Ok(())
    }
    fn pick_next(&mut self) -> Option<Pid> {
        if self.total == 0 {
            return None;
        }
        let winner = self.rng.next_u64() % self.total;
        let i = self.owner(winner);
        self.draw_in(i, false);
        self.slots.as_mut()[i].state = State::Running;
        self.used = 0;
        Some(Pid::from_index(i))
    }
    fn tick(&mut self, running: Option<Pid>) -> Decision {
        match running.and_then(|p| self.state(p)) {
            Some((_, State::Running)) => {
                self.used += 1;
                if self.used >= self.quantum { Decision::Preempt } else { Decision::Continue }
            }
            _ => Decision::Continue,
        }
    }
    fn put_back(&mut self, pid: Pid, _why: Requeue) {
        if let Some((i, State::Running)) = self.state(pid) {
            self.enqueue(i);
        }
    }
    fn block(&mut self, pid: Pid) {
        self.leave(pid, State::Blocked)
    }
    fn wake(&mut self, pid: Pid) {
        if let Some((i, State::Blocked)) = self.state(pid) {
            self.enqueue(i);
        }
    }
    fn exit(&mut self, pid: Pid) {
        self.leave(pid, State::Absent)
    }
    fn runnable(&self) -> usize {
        self.runnable
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replayed_draws_pick_winners_in_pid_order_like_lottery_py() {
        // Tickets 1 and 100: ticket 0 belongs to pid index 0, 1..=100 to 1.
        let draws = [101 * 7, 101 * 7 + 1, 101 * 3 + 100];
        let mut s = Lottery::<[Slot; 2], _>::new(1, Replay::new(draws));
        s.admit(Pid::from_index(0), Hint { length: None, tickets: 1 }).unwrap();
        s.admit(Pid::from_index(1), Hint { length: None, tickets: 100 }).unwrap();
        let mut picks = [0; 3];
        for p in &mut picks {
            let pid = s.pick_next().unwrap();
            *p = pid.index();
            s.put_back(pid, Requeue::Preempted);
        }
        assert_eq!(picks, [0, 1, 1]);
        assert_eq!(s.rng().taken(), 3);
    }

    #[test]
    fn blocked_processes_hold_no_tickets() {
        let mut s = Lottery::<[Slot; 3], _>::new(1, XorShift64::new(3));
        for i in 0..3 {
            s.admit(Pid::from_index(i), Hint::NONE).unwrap();
        }
        let p = s.pick_next().unwrap();
        s.block(p);
        for _ in 0..100 {
            let q = s.pick_next().unwrap();
            assert_ne!(q, p);
            s.put_back(q, Requeue::Preempted);
        }
    }
}

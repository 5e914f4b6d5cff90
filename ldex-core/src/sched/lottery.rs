//! Lottery scheduling (Waldspurger): every pick draws a random number `r`
//! from a [`RandomSource`]; the winning ticket is `r mod T`, `T` being the
//! tickets of all runnable processes, and the winner is the process in
//! whose range the ticket falls, counting tickets in pid order (as OSTEP's
//! `lottery.py` walks its job list). The winner runs for a quantum.
//!
//! The tickets live in a 16-ary sum tree over the pids (each word of a
//! layer adds up 16 words of the layer below), so a draw finds its winner
//! in O(log16 n) steps of one or two cache lines each, and admitting or
//! removing a process updates one word per layer. The random source is a type
//! parameter: [`XorShift64`] for a kernel, [`Replay`] to replay a recorded
//! sequence of draws exactly.

use super::quantum::Quantum;
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
        XorShift64(if seed == 0 {
            0x9E37_79B9_7F4A_7C15
        } else {
            seed
        })
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
    /// The tickets in the draw: `tickets` while runnable, else 0.
    weight: u32,
    tickets: u32,
    state: State,
}

impl Slot {
    /// An unused slot.
    pub const EMPTY: Slot = Slot {
        weight: 0,
        tickets: 0,
        state: State::Absent,
    };
}

/// Children per node of the sum tree.
const FANOUT: usize = 16;

/// Enough layers for any 32-bit pid space.
const MAX_LAYERS: usize = 8;

/// Where the layers of sums start in the sums table, and their lengths.
/// Layer 0 is the slots' own weights; the last layer is one word, the total.
#[derive(Clone, Copy, Debug)]
struct Layout {
    start: [usize; MAX_LAYERS],
    len: [usize; MAX_LAYERS],
    layers: usize,
}

impl Layout {
    const fn new(n: usize) -> Layout {
        let mut start = [0; MAX_LAYERS];
        let mut len = [0; MAX_LAYERS];
        len[0] = n;
        let mut layers = 1;
        let mut at = 0;
        while layers < MAX_LAYERS {
            let words = len[layers - 1].div_ceil(FANOUT);
            let words = if words == 0 { 1 } else { words };
            start[layers] = at;
            len[layers] = words;
            at += words;
            layers += 1;
            if words == 1 {
                break;
            }
        }
        Layout { start, len, layers }
    }
}

/// Lottery scheduling with a quantum in ticks. One process runs at a time:
/// `pick_next` while one runs returns `None`.
#[derive(Debug)]
pub struct Lottery<S = super::KernelSized, W = super::KernelSized, R = XorShift64> {
    slots: S,
    sums: W,
    layout: Layout,
    rng: R,
    /// Processes whose tickets are in the draw, the running one included.
    in_draw: usize,
    /// The running process: its tickets stay in the draw, as in
    /// `lottery.py`, so putting it back costs nothing.
    running: Option<usize>,
    quantum: Quantum,
}

impl<const N: usize, R: RandomSource> Lottery<[Slot; N], [u64; N], R> {
    /// A lottery over pids with index below `N`; a quantum of 0 counts as 1.
    pub const fn new(quantum: u64, rng: R) -> Self {
        Lottery::in_slots([Slot::EMPTY; N], [0; N], N, quantum, rng)
    }
}

#[cfg(feature = "alloc")]
impl<R: RandomSource> Lottery<alloc::boxed::Box<[Slot]>, alloc::boxed::Box<[u64]>, R> {
    /// A lottery over pids with index below `n`, sized at run time.
    pub fn with_capacity(n: usize, quantum: u64, rng: R) -> Self {
        let layout = Layout::new(n);
        let words = layout.start[layout.layers - 1] + 1;
        Lottery::in_slots(
            super::boxed(Slot::EMPTY, n),
            super::boxed(0, words),
            n,
            quantum,
            rng,
        )
    }
}

impl<S: Slots<Slot>, W: Slots<u64>, R: RandomSource> Lottery<S, W, R> {
    const fn in_slots(slots: S, sums: W, n: usize, quantum: u64, rng: R) -> Self {
        Lottery {
            slots,
            sums,
            layout: Layout::new(n),
            rng,
            in_draw: 0,
            running: None,
            quantum: Quantum::new(quantum),
        }
    }

    /// The random source, e.g. to see how many recorded draws were used.
    pub fn rng(&self) -> &R {
        &self.rng
    }

    fn state(&self, pid: Pid) -> Option<(usize, State)> {
        let i = slot(pid, self.slots.as_ref().len())?;
        Some((i, self.slots.as_ref()[i].state))
    }

    /// The tickets of all runnable processes.
    fn total(&self) -> u64 {
        self.sums.as_ref()[self.layout.start[self.layout.layers - 1]]
    }

    /// Put `i`'s tickets in the draw (`add`) or take them out.
    fn draw_in(&mut self, i: usize, add: bool) {
        let s = &mut self.slots.as_mut()[i];
        s.weight = if add { s.tickets } else { 0 };
        let tickets = u64::from(s.tickets);
        let sums = self.sums.as_mut();
        let mut at = i;
        for layer in 1..self.layout.layers {
            at /= FANOUT;
            let w = &mut sums[self.layout.start[layer] + at];
            *w = if add { *w + tickets } else { *w - tickets };
        }
        if add {
            self.in_draw += 1;
        } else {
            self.in_draw -= 1;
        }
    }

    /// The slot holding ticket number `winner` (< total), counting in pid
    /// order.
    fn owner(&self, mut winner: u64) -> usize {
        let (slots, sums, l) = (self.slots.as_ref(), self.sums.as_ref(), &self.layout);
        let mut node = 0;
        for layer in (0..l.layers - 1).rev() {
            let first = node * FANOUT;
            let end = (first + FANOUT).min(l.len[layer]);
            node = end - 1;
            for child in first..end {
                let w = if layer == 0 {
                    u64::from(slots[child].weight)
                } else {
                    sums[l.start[layer] + child]
                };
                if winner < w {
                    node = child;
                    break;
                }
                winner -= w;
            }
        }
        node
    }

    fn enqueue(&mut self, i: usize) {
        self.slots.as_mut()[i].state = State::Runnable;
        self.draw_in(i, true);
    }

    fn leave(&mut self, pid: Pid, to: State) {
        let Some((i, state)) = self.state(pid) else {
            return;
        };
        match state {
            State::Runnable => self.draw_in(i, false),
            State::Running => {
                self.draw_in(i, false);
                self.running = None;
            }
            State::Blocked if to == State::Absent => {}
            _ => return,
        }
        self.slots.as_mut()[i].state = to;
    }
}

impl<S: Slots<Slot>, W: Slots<u64>, R: RandomSource> Scheduler for Lottery<S, W, R> {
    fn name(&self) -> &'static str {
        "lottery"
    }
    fn admit(&mut self, pid: Pid, hint: Hint) -> Result<(), Full> {
        let (i, state) = self.state(pid).ok_or(Full)?;
        if state == State::Absent {
            self.slots.as_mut()[i].tickets = hint.tickets.max(1);
            self.enqueue(i);
        }
        Ok(())
    }
    fn pick_next(&mut self) -> Option<Pid> {
        let total = self.total();
        if total == 0 || self.running.is_some() {
            return None;
        }
        let winner = self.rng.next_u64() % total;
        let i = self.owner(winner);
        self.running = Some(i);
        self.slots.as_mut()[i].state = State::Running;
        self.quantum.start();
        Some(Pid::from_index(i))
    }
    fn tick(&mut self, running: Option<Pid>) -> Decision {
        match running.and_then(|p| self.state(p)) {
            Some((_, State::Running)) => self.quantum.charge(),
            _ => Decision::Continue,
        }
    }
    fn put_back(&mut self, pid: Pid, _why: Requeue) {
        if let Some((i, State::Running)) = self.state(pid) {
            self.slots.as_mut()[i].state = State::Runnable;
            self.running = None;
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
        self.in_draw - usize::from(self.running.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replayed_draws_pick_winners_in_pid_order_like_lottery_py() {
        // Tickets 1 and 100: ticket 0 belongs to pid index 0, 1..=100 to 1.
        let draws = [101 * 7, 101 * 7 + 1, 101 * 3 + 100];
        let mut s = Lottery::<[_; 2], [_; 2], _>::new(1, Replay::new(draws));
        s.admit(
            Pid::from_index(0),
            Hint {
                length: None,
                tickets: 1,
            },
        )
        .unwrap();
        s.admit(
            Pid::from_index(1),
            Hint {
                length: None,
                tickets: 100,
            },
        )
        .unwrap();
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
        let mut s = Lottery::<[_; 3], [_; 3], _>::new(1, XorShift64::new(3));
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

#[cfg(test)]
mod layout_tests {
    use super::*;

    #[test]
    fn winners_are_found_across_several_layers_in_pid_order() {
        const N: usize = 600;
        let mut s = Lottery::<[_; N], [_; N], _>::new(1, XorShift64::new(1));
        for i in (0..N).step_by(7) {
            s.admit(
                Pid::from_index(i),
                Hint {
                    length: None,
                    tickets: (i % 5 + 1) as u32,
                },
            )
            .unwrap();
        }
        let mut ticket = 0;
        for i in (0..N).step_by(7) {
            for _ in 0..(i % 5 + 1) {
                assert_eq!(s.owner(ticket), i, "ticket {ticket}");
                ticket += 1;
            }
        }
        assert_eq!(s.total(), ticket);
    }
}

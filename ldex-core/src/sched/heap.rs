//! The run queue of the policies that pick by a key (SJF, STCF, stride): an
//! 8-ary min-heap with lazy deletion, threaded through fixed tables.
//!
//! A heap cell packs `key << 64 | pid << 32 | generation` into one integer,
//! so a sift compares neighbouring cells without chasing pointers, picks
//! the least of eight children with conditional moves instead of branches,
//! and orders equal keys by pid. Eight children fill two cache lines; the
//! heap has a third of a binary heap's levels.
//!
//! Cells are never searched for. A process that blocks or exits bumps its
//! generation, which turns its cell stale; stale cells are dropped when they
//! reach the root (the root is always live), and the table is compacted in
//! the rare case it fills with them. The running process keeps its cell at
//! the root while it runs; putting it back re-keys the root in place (one
//! sift down), or, if an arrival with a smaller key has taken the root
//! meanwhile, pushes a fresh cell. Both tables are fixed when the policy is
//! built: nothing allocates.

use core::marker::PhantomData;

use super::{Slots, State, slot};
use crate::pid::Pid;

/// Children per node.
const ARITY: usize = 8;

/// One position of the heap.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct HeapCell(u128);

impl HeapCell {
    /// An unused cell.
    pub const EMPTY: HeapCell = HeapCell(0);

    fn new(key: u64, idx: usize, generation: u32) -> HeapCell {
        HeapCell((u128::from(key) << 64) | ((idx as u128) << 32) | u128::from(generation))
    }

    fn idx(self) -> usize {
        (self.0 >> 32) as u32 as usize
    }

    fn generation(self) -> u32 {
        self.0 as u32
    }
}

/// A per-pid slot of a keyed policy.
pub trait KeySlot {
    /// The key the process is ordered by.
    fn key(&self) -> u64;
    /// Its generation: only a cell of the current one is live.
    fn generation(&self) -> u32;
    /// Where it is.
    fn state(&self) -> State;
    /// Set where it is and its generation.
    fn set(&mut self, state: State, generation: u32);
}

/// The run queue: per-pid slots, the heap cells, and the running process.
#[derive(Debug)]
pub struct RunHeap<T, S, H> {
    slots: S,
    cells: H,
    len: usize,
    running: Option<usize>,
    runnable: usize,
    slot_type: PhantomData<T>,
}

impl<T, S, H> RunHeap<T, S, H> {
    /// An empty run queue over `slots` and `cells` (of the same length).
    pub const fn new(slots: S, cells: H) -> Self {
        RunHeap {
            slots,
            cells,
            len: 0,
            running: None,
            runnable: 0,
            slot_type: PhantomData,
        }
    }
}

impl<T: KeySlot, S: Slots<T>, H: Slots<HeapCell>> RunHeap<T, S, H> {
    /// The slot index and state of `pid`, if it fits.
    pub fn state(&self, pid: Pid) -> Option<(usize, State)> {
        let i = slot(pid, self.slots.as_ref().len())?;
        Some((i, self.slots.as_ref()[i].state()))
    }

    /// Slot `i`.
    pub fn slot_mut(&mut self, i: usize) -> &mut T {
        &mut self.slots.as_mut()[i]
    }

    /// Slot `i`.
    pub fn slot(&self, i: usize) -> &T {
        &self.slots.as_ref()[i]
    }

    /// The running process.
    pub fn running(&self) -> Option<usize> {
        self.running
    }

    /// How many are runnable, the running one not counted.
    pub fn runnable(&self) -> usize {
        self.runnable
    }

    /// Make slot `i` runnable with a fresh cell of its current key.
    pub fn enqueue(&mut self, i: usize) {
        let s = &mut self.slots.as_mut()[i];
        let generation = s.generation().wrapping_add(1);
        s.set(State::Runnable, generation);
        let cell = HeapCell::new(s.key(), i, generation);
        self.runnable += 1;
        if self.len == self.cells.as_ref().len() {
            self.compact();
        }
        let at = self.len;
        self.len += 1;
        up(&mut self.cells.as_mut()[..self.len], at, cell);
    }

    /// The runnable process with the least key, now running; `None` when
    /// none is runnable or one already runs.
    pub fn pick(&mut self) -> Option<usize> {
        if self.running.is_some() || self.len == 0 {
            return None;
        }
        let i = self.cells.as_ref()[0].idx();
        let s = &mut self.slots.as_mut()[i];
        s.set(State::Running, s.generation());
        self.running = Some(i);
        self.runnable -= 1;
        Some(i)
    }

    /// The running process `i` is runnable again, with its (new) key.
    pub fn put_back(&mut self, i: usize) {
        self.running = None;
        let s = &mut self.slots.as_mut()[i];
        let (key, generation) = (s.key(), s.generation());
        let len = self.len;
        let cells = &mut self.cells.as_mut()[..len];
        match cells.first() {
            Some(root) if root.idx() == i && root.generation() == generation => {
                s.set(State::Runnable, generation);
                self.runnable += 1;
                down(cells, 0, HeapCell::new(key, i, generation));
                // A stale cell may have come up in its place.
                self.clean();
            }
            _ => self.enqueue(i),
        }
    }

    /// Slot `i` (runnable or running) leaves the queue, into state `to`.
    pub fn remove(&mut self, i: usize, to: State) {
        let s = &mut self.slots.as_mut()[i];
        let was = s.state();
        s.set(to, s.generation().wrapping_add(1));
        if was == State::Runnable {
            self.runnable -= 1;
        }
        if self.running == Some(i) {
            self.running = None;
        }
        self.clean();
    }

    /// Whether `c` is the current cell of a queued process.
    fn live(&self, c: HeapCell) -> bool {
        let s = &self.slots.as_ref()[c.idx()];
        matches!(s.state(), State::Runnable | State::Running) && s.generation() == c.generation()
    }

    /// Drop stale cells from the root until it is live.
    fn clean(&mut self) {
        while self.len > 0 {
            if self.live(self.cells.as_ref()[0]) {
                return;
            }
            self.len -= 1;
            let len = self.len;
            let cells = &mut self.cells.as_mut()[..=len];
            let last = cells[len];
            if len > 0 {
                down(&mut cells[..len], 0, last);
            }
        }
    }

    /// Drop every stale cell and rebuild the heap (when the table is full).
    fn compact(&mut self) {
        let mut kept = 0;
        for k in 0..self.len {
            let c = self.cells.as_ref()[k];
            if self.live(c) {
                self.cells.as_mut()[kept] = c;
                kept += 1;
            }
        }
        self.len = kept;
        let cells = &mut self.cells.as_mut()[..kept];
        for at in (0..kept / ARITY + 1).rev() {
            if at < kept {
                let c = cells[at];
                down(cells, at, c);
            }
        }
    }
}

/// The smaller of two (position, cell) pairs, written for conditional moves.
#[inline(always)]
fn min_of(a: (usize, HeapCell), b: (usize, HeapCell)) -> (usize, HeapCell) {
    if b.1 < a.1 { b } else { a }
}

fn up(cells: &mut [HeapCell], mut at: usize, c: HeapCell) {
    while at > 0 {
        let parent = (at - 1) / ARITY;
        let p = cells[parent];
        if c >= p {
            break;
        }
        cells[at] = p;
        at = parent;
    }
    cells[at] = c;
}

fn down(cells: &mut [HeapCell], mut at: usize, c: HeapCell) {
    let len = cells.len();
    loop {
        let first = ARITY * at + 1;
        if first >= len {
            break;
        }
        let (best, cell) = if first + ARITY <= len {
            let kids = &cells[first..first + ARITY];
            (1..ARITY).fold((first, kids[0]), |m, k| min_of(m, (first + k, kids[k])))
        } else {
            (first + 1..len).fold((first, cells[first]), |m, k| min_of(m, (k, cells[k])))
        };
        if cell >= c {
            break;
        }
        cells[at] = cell;
        at = best;
    }
    cells[at] = c;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Copy)]
    struct K(u64, u32, State);
    impl KeySlot for K {
        fn key(&self) -> u64 {
            self.0
        }
        fn generation(&self) -> u32 {
            self.1
        }
        fn state(&self) -> State {
            self.2
        }
        fn set(&mut self, state: State, generation: u32) {
            self.2 = state;
            self.1 = generation;
        }
    }

    fn drain(h: &mut RunHeap<K, [K; 10], [HeapCell; 10]>) -> [Option<usize>; 10] {
        core::array::from_fn(|_| {
            let i = h.pick()?;
            h.remove(i, State::Absent);
            Some(i)
        })
    }

    #[test]
    fn picks_by_key_then_pid_after_removals_rekeys_and_compaction() {
        let keys = [50, 10, 40, 30, 20, 60, 0, 10, 70, 5];
        let mut h = RunHeap::new(keys.map(|k| K(k, 0, State::Absent)), [HeapCell::EMPTY; 10]);
        for i in 0..10 {
            h.enqueue(i);
        }
        h.remove(6, State::Blocked);
        h.remove(3, State::Blocked);
        assert_eq!(h.runnable(), 8);
        // Wake 3 and 6 again with new keys: the table is full of live and
        // stale cells, so this compacts.
        h.slot_mut(3).0 = 45;
        h.enqueue(3);
        h.slot_mut(6).0 = 100;
        h.enqueue(6);
        // Run 9 (key 5), charge it up to 65 and put it back.
        assert_eq!(h.pick(), Some(9));
        assert_eq!(h.pick(), None, "one runs at a time");
        h.slot_mut(9).0 = 65;
        h.put_back(9);
        assert_eq!(
            drain(&mut h),
            [
                Some(1),
                Some(7),
                Some(4),
                Some(2),
                Some(3),
                Some(0),
                Some(5),
                Some(9),
                Some(8),
                Some(6)
            ]
        );
        assert_eq!(h.runnable(), 0);
    }
}

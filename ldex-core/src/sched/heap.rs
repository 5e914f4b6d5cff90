//! An indexed 8-ary min-heap for the policies that pick by a key (SJF,
//! STCF, stride).
//!
//! The policies keep the running process in the heap (picking marks it,
//! putting it back re-keys it: one sift per context switch instead of a
//! pop and a push). A cell packs the key and the pid index into one
//! integer, so a sift compares neighbouring cells without chasing pointers
//! and picks the least of eight children with conditional moves instead of
//! branches; eight children fill two cache lines and the heap has a third
//! of a binary heap's levels. Each pid's slot in the policy's table
//! remembers its position ([`Positioned`]), so any process can be removed in
//! O(log n). Ties go to the lower pid. Both tables are fixed when the
//! policy is built: nothing allocates.

use super::Slots;

/// Not in the heap.
pub const OUT: u32 = u32::MAX;

/// Children per node.
const ARITY: usize = 8;

/// One position of the heap: a key and a pid index, packed as
/// `key << 32 | index` so that one integer comparison orders by key, then
/// by pid, without branches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct HeapCell(u128);

impl HeapCell {
    /// An unused cell.
    pub const EMPTY: HeapCell = HeapCell(0);

    fn new(key: u64, idx: usize) -> HeapCell {
        HeapCell((u128::from(key) << 32) | idx as u128)
    }

    fn key(self) -> u64 {
        (self.0 >> 32) as u64
    }

    fn idx(self) -> usize {
        self.0 as u32 as usize
    }
}

/// The smaller of two (position, cell) pairs, written for conditional moves.
#[inline(always)]
fn min_of(a: (usize, HeapCell), b: (usize, HeapCell)) -> (usize, HeapCell) {
    if b.1 < a.1 { b } else { a }
}

/// A per-pid slot that records where its pid sits in the heap.
pub trait Positioned {
    /// The heap position of this slot's pid, or [`OUT`].
    fn pos(&mut self) -> &mut u32;
}

/// The heap, over a table of cells as long as the pid table.
#[derive(Debug)]
pub struct Heap<H> {
    cells: H,
    len: usize,
}

impl<H: Slots<HeapCell>> Heap<H> {
    /// An empty heap in `cells`.
    pub const fn new(cells: H) -> Self {
        Heap { cells, len: 0 }
    }

    /// How many entries.
    pub fn len(&self) -> usize {
        self.len
    }

    /// The slot with the smallest key.
    pub fn min(&self) -> Option<usize> {
        (self.len > 0).then(|| self.cells.as_ref()[0].idx())
    }

    /// The smallest key of an entry other than slot `i`.
    pub fn min_key_besides(&self, i: usize) -> Option<u64> {
        let cells = &self.cells.as_ref()[..self.len];
        match cells.first() {
            Some(root) if root.idx() != i => Some(root.key()),
            Some(_) => cells
                .get(1..(1 + ARITY).min(cells.len()))?
                .iter()
                .map(|c| c.key())
                .min(),
            None => None,
        }
    }

    /// Slot `i`, in the heap, has a new key: move it to its place.
    pub fn rekey<T: Positioned>(&mut self, t: &mut [T], i: usize, key: u64) {
        let at = *t[i].pos() as usize;
        let cells = self.cells.as_mut();
        let c = HeapCell::new(key, i);
        if at > 0 && c < cells[(at - 1) / ARITY] {
            up(cells, t, at, c);
        } else {
            down(cells, t, self.len, at, c);
        }
    }

    /// Insert slot `i` (not in the heap) with `key`.
    pub fn push<T: Positioned>(&mut self, t: &mut [T], i: usize, key: u64) {
        let at = self.len;
        self.len += 1;
        up(self.cells.as_mut(), t, at, HeapCell::new(key, i));
    }

    /// Remove slot `i`, which must be in the heap.
    pub fn remove<T: Positioned>(&mut self, t: &mut [T], i: usize) {
        let at = *t[i].pos() as usize;
        *t[i].pos() = OUT;
        self.len -= 1;
        if at == self.len {
            return;
        }
        let cells = self.cells.as_mut();
        let last = cells[self.len];
        if at > 0 && last < cells[(at - 1) / ARITY] {
            up(cells, t, at, last);
        } else {
            down(cells, t, self.len, at, last);
        }
    }
}

fn set<T: Positioned>(cells: &mut [HeapCell], t: &mut [T], at: usize, c: HeapCell) {
    cells[at] = c;
    *t[c.idx()].pos() = at as u32;
}

fn up<T: Positioned>(cells: &mut [HeapCell], t: &mut [T], mut at: usize, c: HeapCell) {
    while at > 0 {
        let parent = (at - 1) / ARITY;
        let p = cells[parent];
        if c >= p {
            break;
        }
        set(cells, t, at, p);
        at = parent;
    }
    set(cells, t, at, c);
}

fn down<T: Positioned>(
    cells: &mut [HeapCell],
    t: &mut [T],
    len: usize,
    mut at: usize,
    c: HeapCell,
) {
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
        set(cells, t, at, cell);
        at = best;
    }
    set(cells, t, at, c);
}

#[cfg(test)]
mod tests {
    use super::*;

    struct P(u32);
    impl Positioned for P {
        fn pos(&mut self) -> &mut u32 {
            &mut self.0
        }
    }

    fn pop(h: &mut Heap<[HeapCell; 10]>, t: &mut [P]) -> Option<usize> {
        let top = h.min()?;
        h.remove(t, top);
        Some(top)
    }

    #[test]
    fn pops_in_key_then_pid_order_after_removals_and_rekeys() {
        let keys = [50, 10, 40, 30, 20, 60, 0, 10, 70, 5];
        let mut t: [P; 10] = core::array::from_fn(|_| P(OUT));
        let mut h = Heap::new([HeapCell::EMPTY; 10]);
        for (i, k) in keys.iter().enumerate() {
            h.push(&mut t, i, *k);
        }
        h.remove(&mut t, 6);
        h.remove(&mut t, 3);
        assert_eq!(t[6].0, OUT);
        assert_eq!(h.min_key_besides(0), Some(5));
        assert_eq!(h.min_key_besides(9), Some(10));
        h.rekey(&mut t, 8, 1);
        h.rekey(&mut t, 9, 45);
        let order: [Option<usize>; 9] = core::array::from_fn(|_| pop(&mut h, &mut t));
        assert_eq!(
            order,
            [
                Some(8),
                Some(1),
                Some(7),
                Some(4),
                Some(2),
                Some(9),
                Some(0),
                Some(5),
                None
            ]
        );
    }
}

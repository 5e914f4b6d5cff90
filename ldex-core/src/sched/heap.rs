//! An indexed binary min-heap threaded through a per-pid table.
//!
//! Slot `k` of the table holds two unrelated things: the heap's `k`-th
//! entry (a slot index) and, for the pid of slot `k`, its position in the
//! heap. Both arrays have one entry per pid, so one table serves both and
//! nothing allocates. Push, pop, remove and re-key are O(log n); the
//! minimum is O(1).

/// Not in the heap.
pub const OUT: u32 = u32::MAX;

/// A slot type the heap can live in.
pub trait HeapSlot {
    /// This pid's ordering key; ties must be broken inside the key.
    fn key(&self) -> (u64, u64);
    /// This pid's position in the heap, or [`OUT`].
    fn pos(&mut self) -> &mut u32;
    /// The heap entry stored at this slot's index.
    fn entry(&mut self) -> &mut u32;
}

/// The heap's size; its storage is the slot table.
#[derive(Clone, Copy, Debug)]
pub struct Heap {
    len: usize,
}

impl Heap {
    /// The empty heap.
    pub const EMPTY: Heap = Heap { len: 0 };

    /// How many entries.
    pub fn len(&self) -> usize {
        self.len
    }

    /// The entry with the smallest key.
    pub fn peek<T: HeapSlot>(&self, t: &mut [T]) -> Option<usize> {
        (self.len > 0).then(|| *t[0].entry() as usize)
    }

    /// Insert slot `i` (not in the heap).
    pub fn push<T: HeapSlot>(&mut self, t: &mut [T], i: usize) {
        let at = self.len;
        self.len += 1;
        self.place(t, at, i);
        self.up(t, at);
    }

    /// Remove and return the entry with the smallest key.
    pub fn pop<T: HeapSlot>(&mut self, t: &mut [T]) -> Option<usize> {
        let top = self.peek(t)?;
        self.remove(t, top);
        Some(top)
    }

    /// Remove slot `i`, which must be in the heap.
    pub fn remove<T: HeapSlot>(&mut self, t: &mut [T], i: usize) {
        let at = *t[i].pos() as usize;
        self.len -= 1;
        *t[i].pos() = OUT;
        if at == self.len {
            return;
        }
        let last = *t[self.len].entry() as usize;
        self.place(t, at, last);
        self.rekeyed(t, last);
    }

    /// Slot `i`'s key changed: restore the heap order.
    pub fn rekeyed<T: HeapSlot>(&mut self, t: &mut [T], i: usize) {
        let at = *t[i].pos() as usize;
        let at = self.up(t, at);
        self.down(t, at);
    }

    fn place<T: HeapSlot>(&self, t: &mut [T], at: usize, i: usize) {
        *t[at].entry() = i as u32;
        *t[i].pos() = at as u32;
    }

    fn key_at<T: HeapSlot>(t: &mut [T], at: usize) -> (u64, u64) {
        let i = *t[at].entry() as usize;
        t[i].key()
    }

    fn up<T: HeapSlot>(&self, t: &mut [T], mut at: usize) -> usize {
        let i = *t[at].entry() as usize;
        let key = t[i].key();
        while at > 0 {
            let parent = (at - 1) / 2;
            if Self::key_at(t, parent) <= key {
                break;
            }
            let p = *t[parent].entry() as usize;
            self.place(t, at, p);
            at = parent;
        }
        self.place(t, at, i);
        at
    }

    fn down<T: HeapSlot>(&self, t: &mut [T], mut at: usize) {
        let i = *t[at].entry() as usize;
        let key = t[i].key();
        loop {
            let left = 2 * at + 1;
            if left >= self.len {
                break;
            }
            let right = left + 1;
            let child = if right < self.len && Self::key_at(t, right) < Self::key_at(t, left) {
                right
            } else {
                left
            };
            if key <= Self::key_at(t, child) {
                break;
            }
            let c = *t[child].entry() as usize;
            self.place(t, at, c);
            at = child;
        }
        self.place(t, at, i);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Copy)]
    struct S {
        key: u64,
        pos: u32,
        entry: u32,
    }
    impl HeapSlot for S {
        fn key(&self) -> (u64, u64) {
            (self.key, 0)
        }
        fn pos(&mut self) -> &mut u32 {
            &mut self.pos
        }
        fn entry(&mut self) -> &mut u32 {
            &mut self.entry
        }
    }

    #[test]
    fn pops_in_key_order_after_removals_and_rekeys() {
        let keys = [50, 10, 40, 30, 20, 60, 0, 70];
        let mut t = keys.map(|key| S { key, pos: OUT, entry: 0 });
        let mut h = Heap::EMPTY;
        for i in 0..t.len() {
            h.push(&mut t, i);
        }
        h.remove(&mut t, 6); // key 0
        t[7].key = 5;
        h.rekeyed(&mut t, 7);
        let order: [Option<usize>; 8] = core::array::from_fn(|_| h.pop(&mut t));
        assert_eq!(order, [Some(7), Some(1), Some(4), Some(3), Some(2), Some(0), Some(5), None]);
        assert_eq!(t[7].pos, OUT);
    }
}

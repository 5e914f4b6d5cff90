//! The run queue of the policies that run the least key (SJF/STCF: work
//! left; stride: pass), shared so that both keep their per-pid states the
//! same way.
//!
//! Each pid has a [`KeyedSlot`]: its key, the policy's own data, its
//! [`State`] and its position in the [`Heap`]. A runnable or running pid is
//! in the heap; the running one stays there with a stale key until
//! [`KeyedQueue::put_back`] re-keys it (one sift per context switch). Only
//! one pid runs at a time: [`KeyedQueue::pick`] while one runs returns
//! `None`. Picking is O(1); enqueueing, putting back and leaving O(log n).

use core::marker::PhantomData;

use super::heap::{Heap, HeapCell, OUT, Positioned};
use super::{Slots, State, slot};
use crate::pid::Pid;

/// One pid's entry in a keyed policy's table: the key it is ordered by
/// and the policy's own per-pid data `E`.
#[derive(Clone, Copy, Debug)]
pub struct KeyedSlot<E> {
    pub(super) key: u64,
    pub(super) data: E,
    pos: u32,
    state: State,
}

impl<E> KeyedSlot<E> {
    /// An unused slot holding `data`.
    pub(super) const fn empty(data: E) -> Self {
        KeyedSlot {
            key: 0,
            data,
            pos: OUT,
            state: State::Absent,
        }
    }
}

impl<E> Positioned for KeyedSlot<E> {
    fn pos(&mut self) -> &mut u32 {
        &mut self.pos
    }
}

/// A per-pid table of [`KeyedSlot`]s and the heap of the runnable and
/// running ones.
#[derive(Debug)]
pub(super) struct KeyedQueue<E, S, H> {
    slots: S,
    heap: Heap<H>,
    /// The running process; it stays in the heap with a stale key until
    /// it is put back.
    running: Option<usize>,
    data: PhantomData<E>,
}

impl<E, S: Slots<KeyedSlot<E>>, H: Slots<HeapCell>> KeyedQueue<E, S, H> {
    /// An empty queue over `slots`, with its heap in `cells`.
    pub(super) const fn new(slots: S, cells: H) -> Self {
        KeyedQueue {
            slots,
            heap: Heap::new(cells),
            running: None,
            data: PhantomData,
        }
    }

    /// The slot index and state of `pid`, if its index fits.
    pub(super) fn state(&self, pid: Pid) -> Option<(usize, State)> {
        let i = slot(pid, self.slots.as_ref().len())?;
        Some((i, self.slots.as_ref()[i].state))
    }

    /// The slot at index `i`.
    pub(super) fn slot(&self, i: usize) -> &KeyedSlot<E> {
        &self.slots.as_ref()[i]
    }

    /// The slot at index `i`, to change its key or data. Change the key of
    /// a slot in the heap only through [`KeyedQueue::put_back`].
    pub(super) fn slot_mut(&mut self, i: usize) -> &mut KeyedSlot<E> {
        &mut self.slots.as_mut()[i]
    }

    /// Make slot `i` (not in the heap) runnable with its current key.
    pub(super) fn enqueue(&mut self, i: usize) {
        let s = &mut self.slots.as_mut()[i];
        s.state = State::Runnable;
        let key = s.key;
        self.heap.push(self.slots.as_mut(), i, key);
    }

    /// Run the slot with the least key, unless one runs already.
    pub(super) fn pick(&mut self) -> Option<usize> {
        if self.running.is_some() {
            return None;
        }
        let i = self.heap.min()?;
        self.slots.as_mut()[i].state = State::Running;
        self.running = Some(i);
        Some(i)
    }

    /// The running `pid` is runnable again, ordered by its current key.
    pub(super) fn put_back(&mut self, pid: Pid) {
        if let Some((i, State::Running)) = self.state(pid) {
            let s = &mut self.slots.as_mut()[i];
            s.state = State::Runnable;
            let key = s.key;
            self.heap.rekey(self.slots.as_mut(), i, key);
            self.running = None;
        }
    }

    /// Take `pid` off the CPU or out of the heap, into state `to`
    /// (`Blocked` or `Absent`); a blocked pid can only become absent.
    pub(super) fn leave(&mut self, pid: Pid, to: State) {
        let Some((i, state)) = self.state(pid) else {
            return;
        };
        match state {
            State::Runnable | State::Running => {
                self.heap.remove(self.slots.as_mut(), i);
                if self.running == Some(i) {
                    self.running = None;
                }
            }
            State::Blocked if to == State::Absent => {}
            _ => return,
        }
        self.slots.as_mut()[i].state = to;
    }

    /// The least key of a queued slot other than `i`.
    pub(super) fn min_key_besides(&self, i: usize) -> Option<u64> {
        self.heap.min_key_besides(i)
    }

    /// How many slots wait for the CPU (the running one excluded).
    pub(super) fn runnable(&self) -> usize {
        self.heap.len() - usize::from(self.running.is_some())
    }
}

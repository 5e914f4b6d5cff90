//! First in, first out: processes run in the order they became runnable and
//! are never preempted by a tick. O(1) everything.

use super::list::{Link, Linked, List};
use super::{Decision, Full, Hint, Requeue, Scheduler, Slots, State, slot};
use crate::pid::Pid;

/// One pid's entry in a [`Fifo`] or [`RoundRobin`](super::RoundRobin) table.
#[derive(Clone, Copy, Debug)]
pub struct Slot {
    link: Link,
    state: State,
    /// Round robin: the ticks of its quantum the process has used since it
    /// was picked (kept per process, so several can run at once; 32 bits
    /// keep the slot at 16 bytes, and it saturates).
    used: u32,
}

impl Slot {
    /// An unused slot.
    pub const EMPTY: Slot = Slot {
        link: Link::NONE,
        state: State::Absent,
        used: 0,
    };
}

impl Linked for Slot {
    fn link(&mut self) -> &mut Link {
        &mut self.link
    }
}

/// A run queue in arrival order, shared by FIFO and round robin.
#[derive(Debug)]
pub(super) struct Queue<S> {
    slots: S,
    queue: List,
}

impl<S: Slots<Slot>> Queue<S> {
    pub(super) const fn new(slots: S) -> Self {
        Queue {
            slots,
            queue: List::EMPTY,
        }
    }

    fn enqueue(&mut self, i: usize) {
        self.slots.as_mut()[i].state = State::Runnable;
        self.queue.push_back(self.slots.as_mut(), i);
    }

    fn enqueue_front(&mut self, i: usize) {
        self.slots.as_mut()[i].state = State::Runnable;
        self.queue.push_front(self.slots.as_mut(), i);
    }

    pub(super) fn admit(&mut self, pid: Pid) -> Result<(), Full> {
        let i = slot(pid, self.slots.as_ref().len()).ok_or(Full)?;
        if self.slots.as_ref()[i].state == State::Absent {
            self.enqueue(i);
        }
        Ok(())
    }

    pub(super) fn pick_next(&mut self) -> Option<Pid> {
        let i = self.queue.pop_front(self.slots.as_mut())?;
        let slot = &mut self.slots.as_mut()[i];
        slot.state = State::Running;
        slot.used = 0;
        Some(Pid::from_index(i))
    }

    /// The quantum ticks `pid` has used since it was picked, if it runs.
    pub(super) fn used(&mut self, pid: Pid) -> Option<&mut u32> {
        let i = slot(pid, self.slots.as_ref().len())?;
        let slot = &mut self.slots.as_mut()[i];
        (slot.state == State::Running).then_some(&mut slot.used)
    }

    fn state(&self, pid: Pid) -> Option<(usize, State)> {
        let i = slot(pid, self.slots.as_ref().len())?;
        Some((i, self.slots.as_ref()[i].state))
    }

    /// Requeue the running `pid` at the tail, or at the head.
    pub(super) fn put_back(&mut self, pid: Pid, front: bool) {
        if let Some((i, State::Running)) = self.state(pid) {
            if front {
                self.enqueue_front(i)
            } else {
                self.enqueue(i)
            }
        }
    }

    /// Take `pid` off the CPU or out of the queue (or, on exit, out of the
    /// blocked set) into state `to`.
    fn leave(&mut self, pid: Pid, to: State) {
        let Some((i, state)) = self.state(pid) else {
            return;
        };
        match state {
            State::Runnable => self.queue.remove(self.slots.as_mut(), i),
            State::Running => {}
            State::Blocked if to == State::Absent => {}
            _ => return,
        }
        self.slots.as_mut()[i].state = to;
    }

    pub(super) fn block(&mut self, pid: Pid) {
        self.leave(pid, State::Blocked);
    }

    pub(super) fn wake(&mut self, pid: Pid) {
        if let Some((i, State::Blocked)) = self.state(pid) {
            self.enqueue(i);
        }
    }

    pub(super) fn exit(&mut self, pid: Pid) {
        self.leave(pid, State::Absent);
    }

    pub(super) fn runnable(&self) -> usize {
        self.queue.len()
    }
}

/// First in, first out.
#[derive(Debug)]
pub struct Fifo<S = super::KernelSized> {
    q: Queue<S>,
}

impl<const N: usize> Fifo<[Slot; N]> {
    /// A FIFO for pids with index below `N`.
    pub const fn new() -> Self {
        Fifo {
            q: Queue::new([Slot::EMPTY; N]),
        }
    }
}

impl<const N: usize> Default for Fifo<[Slot; N]> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(feature = "alloc")]
impl Fifo<alloc::boxed::Box<[Slot]>> {
    /// A FIFO for pids with index below `n`, sized at run time.
    pub fn with_capacity(n: usize) -> Self {
        Fifo {
            q: Queue::new(super::boxed(Slot::EMPTY, n)),
        }
    }
}

impl<S: Slots<Slot>> Scheduler for Fifo<S> {
    fn name(&self) -> &'static str {
        "fifo"
    }
    fn admit(&mut self, pid: Pid, _hint: Hint) -> Result<(), Full> {
        self.q.admit(pid)
    }
    fn pick_next(&mut self) -> Option<Pid> {
        self.q.pick_next()
    }
    fn tick(&mut self, _running: Option<Pid>) -> Decision {
        Decision::Continue
    }
    fn supports_smp(&self) -> bool {
        true
    }
    fn put_back(&mut self, pid: Pid, _why: Requeue) {
        self.q.put_back(pid, false)
    }
    fn block(&mut self, pid: Pid) {
        self.q.block(pid)
    }
    fn wake(&mut self, pid: Pid) {
        self.q.wake(pid)
    }
    fn exit(&mut self, pid: Pid) {
        self.q.exit(pid)
    }
    fn runnable(&self) -> usize {
        self.q.runnable()
    }
}

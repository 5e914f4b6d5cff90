//! Cooperative: a tick never preempts; a process runs until it yields,
//! blocks or exits. The next process is the first runnable one after the
//! last picked, cyclically by pid (OSTEP's `process-run.py`), found with a
//! hierarchical bitmap in O(log64 n).
//!
//! The successor is chosen when the running process leaves the CPU, from
//! the processes runnable at that moment; one that wakes later waits for
//! the next choice. When nothing is runnable at that moment, the first
//! process to wake runs next.
//!
//! Two options reproduce `process-run.py`'s switches:
//! * `switch_on_io: false` (`SWITCH_ON_END`): a process that blocks keeps
//!   the CPU; nothing else runs until it wakes and runs again.
//! * `wake_preempts: true` (`IO_RUN_IMMEDIATE`): a process that wakes runs
//!   next, preempting the running one.

use super::bitmap::{Bitmap, HasWord};
use super::{Decision, Full, Hint, Requeue, Scheduler, Slots, State, slot};
use crate::pid::Pid;

/// The options of a [`Cooperative`] policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CoopConfig {
    /// Run another process while one is blocked (`SWITCH_ON_IO`).
    pub switch_on_io: bool,
    /// A process that wakes preempts the running one (`IO_RUN_IMMEDIATE`).
    pub wake_preempts: bool,
}

impl CoopConfig {
    /// Switch on I/O; a woken process waits its turn.
    pub const DEFAULT: CoopConfig = CoopConfig {
        switch_on_io: true,
        wake_preempts: false,
    };
}

impl Default for CoopConfig {
    fn default() -> Self {
        CoopConfig::DEFAULT
    }
}

/// One pid's entry in a [`Cooperative`] table.
#[derive(Clone, Copy, Debug)]
pub struct Slot {
    /// A word of the runnable bitmap (not this pid's).
    word: u64,
    state: State,
}

impl Slot {
    /// An unused slot.
    pub const EMPTY: Slot = Slot {
        word: 0,
        state: State::Absent,
    };
}

impl HasWord for Slot {
    fn word(&self) -> u64 {
        self.word
    }
    fn word_mut(&mut self) -> &mut u64 {
        &mut self.word
    }
}

/// The cooperative policy.
#[derive(Debug)]
pub struct Cooperative<S = super::KernelSized> {
    slots: S,
    bits: Bitmap,
    config: CoopConfig,
    runnable: usize,
    /// The last process picked (`process-run.py`'s "current").
    current: Option<usize>,
    running: Option<usize>,
    /// The process chosen to run next.
    next: Option<usize>,
    /// A blocked process that keeps the CPU (`switch_on_io: false`).
    held: Option<usize>,
}

impl<const N: usize> Cooperative<[Slot; N]> {
    /// A cooperative policy over pids with index below `N`.
    pub const fn new(config: CoopConfig) -> Self {
        Cooperative::in_slots([Slot::EMPTY; N], N, config)
    }
}

#[cfg(feature = "alloc")]
impl Cooperative<alloc::boxed::Box<[Slot]>> {
    /// A cooperative policy over pids with index below `n`, sized at run
    /// time.
    pub fn with_capacity(n: usize, config: CoopConfig) -> Self {
        Cooperative::in_slots(super::boxed(Slot::EMPTY, n), n, config)
    }
}

impl<S: Slots<Slot>> Cooperative<S> {
    const fn in_slots(slots: S, n: usize, config: CoopConfig) -> Self {
        Cooperative {
            slots,
            bits: Bitmap::new(n),
            config,
            runnable: 0,
            current: None,
            running: None,
            next: None,
            held: None,
        }
    }

    fn state(&self, pid: Pid) -> Option<(usize, State)> {
        let i = slot(pid, self.slots.as_ref().len())?;
        Some((i, self.slots.as_ref()[i].state))
    }

    fn set(&mut self, i: usize, to: State) {
        let was = self.slots.as_ref()[i].state;
        if was == State::Runnable {
            self.bits.clear(self.slots.as_mut(), i);
            self.runnable -= 1;
        }
        if to == State::Runnable {
            self.bits.set(self.slots.as_mut(), i);
            self.runnable += 1;
        }
        self.slots.as_mut()[i].state = to;
        if self.running == Some(i) && to != State::Running {
            self.running = None;
        }
    }

    /// The first runnable process after `i`, cyclically (`i` itself last).
    fn after(&self, i: usize) -> Option<usize> {
        let n = self.slots.as_ref().len();
        self.bits
            .next_cyclic(self.slots.as_ref(), if i + 1 >= n { 0 } else { i + 1 })
    }

    /// The running process `i` leaves the CPU: choose its successor now.
    fn choose_after(&mut self, i: usize) {
        if self.next.is_none() {
            self.next = self.after(i);
        }
    }
}

impl<S: Slots<Slot>> Scheduler for Cooperative<S> {
    fn name(&self) -> &'static str {
        "cooperative"
    }
    fn admit(&mut self, pid: Pid, _hint: Hint) -> Result<(), Full> {
        let (i, state) = self.state(pid).ok_or(Full)?;
        if state == State::Absent {
            self.set(i, State::Runnable);
        }
        Ok(())
    }
    fn pick_next(&mut self) -> Option<Pid> {
        if self.held.is_some() {
            return None;
        }
        let chosen = self
            .next
            .take()
            .filter(|&i| self.slots.as_ref()[i].state == State::Runnable);
        let i = match chosen {
            Some(i) => i,
            None => match self.current {
                Some(c) => self.after(c)?,
                None => self.bits.next_from(self.slots.as_ref(), 0)?,
            },
        };
        self.set(i, State::Running);
        self.running = Some(i);
        self.current = Some(i);
        Some(Pid::from_index(i))
    }
    fn tick(&mut self, _running: Option<Pid>) -> Decision {
        Decision::Continue
    }
    fn should_preempt(&self, running: Pid) -> Decision {
        match self.next {
            Some(n) if self.config.wake_preempts && self.running == Some(running.index()) => {
                if n != running.index() {
                    Decision::Preempt
                } else {
                    Decision::Continue
                }
            }
            _ => Decision::Continue,
        }
    }
    fn put_back(&mut self, pid: Pid, _why: Requeue) {
        if let Some((i, State::Running)) = self.state(pid) {
            self.set(i, State::Runnable);
            self.choose_after(i);
        }
    }
    fn block(&mut self, pid: Pid) {
        match self.state(pid) {
            Some((i, State::Running)) => {
                self.set(i, State::Blocked);
                if self.config.switch_on_io {
                    self.choose_after(i);
                } else {
                    self.held = Some(i);
                }
            }
            Some((i, State::Runnable)) => self.set(i, State::Blocked),
            _ => {}
        }
    }
    fn wake(&mut self, pid: Pid) {
        let Some((i, State::Blocked)) = self.state(pid) else {
            return;
        };
        let idle = self.running.is_none() && self.runnable == 0;
        self.set(i, State::Runnable);
        if self.held == Some(i) {
            self.held = None;
            self.next = Some(i);
        } else if self.config.wake_preempts || (idle && self.next.is_none()) {
            self.next = Some(i);
        }
    }
    fn exit(&mut self, pid: Pid) {
        let Some((i, state)) = self.state(pid) else {
            return;
        };
        if state == State::Absent {
            return;
        }
        self.set(i, State::Absent);
        if self.held == Some(i) {
            self.held = None;
        }
        if self.next == Some(i) {
            self.next = None;
        }
        if state == State::Running {
            self.choose_after(i);
        }
    }
    fn runnable(&self) -> usize {
        self.runnable
    }
}

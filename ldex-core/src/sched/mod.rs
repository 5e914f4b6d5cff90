//! The scheduling policy: a pure data structure behind one trait.
//!
//! A [`Scheduler`] never touches the arch, never switches contexts and never
//! allocates after admission. The protocol ([`Kernel`](crate::Kernel)) tells
//! it what happened (a process was admitted, ran for a tick, yielded, blocked,
//! woke or exited) and asks it two questions: *who runs next?*
//! ([`Scheduler::pick_next`]) and *should the running process stop now?*
//! (the [`Decision`] returned by [`Scheduler::tick`] and
//! [`Scheduler::should_preempt`]).
//!
//! A process is in exactly one of three places as far as a policy knows:
//! runnable (admitted, put back or woken, and not picked since), running
//! (returned by `pick_next`), or blocked. Exit removes it from whichever.

use crate::pid::Pid;

/// What a policy may know about a process when it is admitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hint {
    /// The job length in ticks, for SJF and STCF.
    pub length: Option<u64>,
    /// Lottery tickets or stride weight (at least 1).
    pub tickets: u32,
}

impl Hint {
    /// No length known, one ticket.
    pub const NONE: Hint = Hint {
        length: None,
        tickets: 1,
    };
}

impl Default for Hint {
    fn default() -> Self {
        Hint::NONE
    }
}

/// The policy is full: it cannot admit another process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Full;

/// A scheduling decision about the running process.
#[must_use = "a scheduling decision must be acted on"]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Keep running it.
    Continue,
    /// Take the CPU away from it: the protocol puts it back with
    /// [`Scheduler::put_back`] and picks again.
    Preempt,
}

/// Why a running process went back to the run queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Requeue {
    /// The policy said [`Decision::Preempt`].
    Preempted,
    /// The process gave up the CPU itself (`sched_yield`).
    Yielded,
}

/// A scheduling policy.
pub trait Scheduler {
    /// The policy's short name, as the simulator's `--policy` spells it.
    fn name(&self) -> &'static str;

    /// A new process becomes runnable.
    fn admit(&mut self, pid: Pid, hint: Hint) -> Result<(), Full>;

    /// Choose the process to run next and mark it running; `None` when no
    /// process is runnable.
    #[must_use]
    fn pick_next(&mut self) -> Option<Pid>;

    /// One timer tick passed, during which `running` had the CPU (`None`:
    /// the CPU was idle). Policies count quanta, allotments and boosts here.
    fn tick(&mut self, running: Option<Pid>) -> Decision;

    /// After an admission or a wake-up: should `running` give way now (STCF
    /// on arrival, MLFQ when a higher queue fills)?
    fn should_preempt(&self, running: Pid) -> Decision {
        let _ = running;
        Decision::Continue
    }

    /// The running process stops running but stays runnable.
    fn put_back(&mut self, pid: Pid, why: Requeue);

    /// The running process blocks (I/O, sleep).
    fn block(&mut self, pid: Pid);

    /// A blocked process becomes runnable.
    fn wake(&mut self, pid: Pid);

    /// A process leaves for good, from any state.
    fn exit(&mut self, pid: Pid);

    /// How many processes are runnable (not counting the running one).
    fn runnable(&self) -> usize;
}

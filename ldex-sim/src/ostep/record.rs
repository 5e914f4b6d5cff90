//! A [`Scheduler`] wrapper that records every call the machine makes, with
//! the time, so the replay can read the schedule, the events and the
//! per-process results off the real policy's decisions.
//!
//! Time is the number of [`Scheduler::tick`] calls so far: calls made at the
//! boundary that ends tick `t - 1` are stamped `t`.

use std::cell::RefCell;
use std::rc::Rc;

use ldex_core::Pid;
use ldex_core::sched::{Decision, Full, Hint, Requeue, Scheduler};

/// What happened, to which job (the pid index).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum What {
    /// Admitted.
    Arrive(usize),
    /// Picked to run.
    Dispatch(usize),
    /// Blocked (an I/O started).
    IoStart(usize),
    /// Woken (its I/O completed).
    IoDone(usize),
    /// Gone.
    Finish(usize),
}

/// Everything the policy was told and answered.
#[derive(Clone, Debug, Default)]
pub struct Log {
    /// Stamped events, in call order.
    pub events: Vec<(u64, What)>,
    /// Tick `t`: the job that ran and its priority at the time, if any.
    pub ticks: Vec<Option<(usize, Option<u32>)>>,
    /// Per tick, an extra probe of the running job taken before charging it
    /// (MLFQ: ticks and allotment left), for `--text`.
    pub probes: Vec<Option<(u32, u32)>>,
}

/// Reads policy-specific state for the text output.
pub type Probe<S> = fn(&S, Pid) -> Option<(u32, u32)>;

/// The recording wrapper.
pub struct Recorder<S> {
    inner: S,
    log: Rc<RefCell<Log>>,
    probe: Option<Probe<S>>,
}

impl<S: Scheduler> Recorder<S> {
    /// Wrap `inner`; the log is shared with the caller.
    pub fn new(inner: S, log: Rc<RefCell<Log>>, probe: Option<Probe<S>>) -> Self {
        Recorder { inner, log, probe }
    }

    fn note(&self, what: What) {
        let mut log = self.log.borrow_mut();
        let now = log.ticks.len() as u64;
        log.events.push((now, what));
    }
}

impl<S: Scheduler> Scheduler for Recorder<S> {
    fn name(&self) -> &'static str {
        self.inner.name()
    }
    fn admit(&mut self, pid: Pid, hint: Hint) -> Result<(), Full> {
        self.inner.admit(pid, hint)?;
        self.note(What::Arrive(pid.index()));
        Ok(())
    }
    fn pick_next(&mut self) -> Option<Pid> {
        let pid = self.inner.pick_next()?;
        self.note(What::Dispatch(pid.index()));
        Some(pid)
    }
    fn tick(&mut self, running: Option<Pid>) -> Decision {
        let ran = running.map(|p| (p.index(), self.inner.priority(p)));
        let probe = running.and_then(|p| self.probe.and_then(|f| f(&self.inner, p)));
        {
            let mut log = self.log.borrow_mut();
            log.ticks.push(ran);
            log.probes.push(probe);
        }
        self.inner.tick(running)
    }
    fn should_preempt(&self, running: Pid) -> Decision {
        self.inner.should_preempt(running)
    }
    fn put_back(&mut self, pid: Pid, why: Requeue) {
        self.inner.put_back(pid, why)
    }
    fn block(&mut self, pid: Pid) {
        self.inner.block(pid);
        self.note(What::IoStart(pid.index()));
    }
    fn wake(&mut self, pid: Pid) {
        self.inner.wake(pid);
        self.note(What::IoDone(pid.index()));
    }
    fn exit(&mut self, pid: Pid) {
        self.inner.exit(pid);
        self.note(What::Finish(pid.index()));
    }
    fn runnable(&self) -> usize {
        self.inner.runnable()
    }
    fn priority(&self, pid: Pid) -> Option<u32> {
        self.inner.priority(pid)
    }
}

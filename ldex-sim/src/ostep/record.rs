//! A [`Scheduler`] wrapper that records every call the machine makes, with
//! the time, so the replay can read the schedule, the events and the
//! per-process results off the real policy's decisions.
//!
//! Time is the number of [`Scheduler::tick`] calls so far: calls made at the
//! boundary that ends tick `t - 1` are stamped `t`.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

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

/// The log, shared between the recorder (inside the kernel) and the replay.
pub type SharedLog = Arc<Mutex<Log>>;

/// Lock the shared log (a panic elsewhere does not hide what was logged).
pub fn lock(log: &SharedLog) -> MutexGuard<'_, Log> {
    log.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Log {
    /// Replace the pids in the log by job numbers: the k-th admission is of
    /// job `jobs[k]` (the machine's launch order), and a pid means that job
    /// until the next admission of the same pid. Ticks from `end` on (the
    /// machine winding down) are dropped.
    pub fn to_jobs(&mut self, jobs: &[usize], end: u64) {
        let mut job_of: Vec<usize> = Vec::new();
        let job = |job_of: &[usize], pid: usize| job_of.get(pid).copied().unwrap_or(pid);
        let mut admitted = 0;
        let mut ticks = Vec::with_capacity(self.ticks.len());
        let old_ticks = std::mem::take(&mut self.ticks);
        let mut next_tick = old_ticks.iter();
        for (t, what) in &mut self.events {
            // Ticks before this event's time ran under the mapping so far.
            while ticks.len() < *t as usize {
                let Some(slot) = next_tick.next() else { break };
                ticks.push(slot.map(|(p, prio)| (job(&job_of, p), prio)));
            }
            let (pid, make): (usize, fn(usize) -> What) = match *what {
                What::Arrive(p) => (p, What::Arrive),
                What::Dispatch(p) => (p, What::Dispatch),
                What::IoStart(p) => (p, What::IoStart),
                What::IoDone(p) => (p, What::IoDone),
                What::Finish(p) => (p, What::Finish),
            };
            if let What::Arrive(_) = what {
                if job_of.len() <= pid {
                    job_of.resize(pid + 1, usize::MAX);
                }
                job_of[pid] = jobs.get(admitted).copied().unwrap_or(pid);
                admitted += 1;
            }
            *what = make(job(&job_of, pid));
        }
        ticks.extend(next_tick.map(|slot| slot.map(|(p, prio)| (job(&job_of, p), prio))));
        ticks.truncate(end as usize);
        self.ticks = ticks;
        self.probes.truncate(end as usize);
        self.events.retain(|&(t, _)| t <= end);
    }
}

/// The recording wrapper.
pub struct Recorder<S> {
    inner: S,
    log: SharedLog,
    probe: Option<Probe<S>>,
}

impl<S: Scheduler> Recorder<S> {
    /// Wrap `inner`; the log is shared with the caller.
    pub fn new(inner: S, log: SharedLog, probe: Option<Probe<S>>) -> Self {
        Recorder { inner, log, probe }
    }

    fn note(&self, what: What) {
        let mut log = lock(&self.log);
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
            let mut log = lock(&self.log);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reused_pid_maps_to_the_job_admitted_last_under_it() {
        // Pid index 0 runs job 0, which finishes at 2; at 3 pid 0 is reused
        // for job 1, which runs tick 3 and finishes at 4.
        let mut log = Log {
            events: vec![
                (0, What::Arrive(0)),
                (0, What::Dispatch(0)),
                (2, What::Finish(0)),
                (3, What::Arrive(0)),
                (3, What::Dispatch(0)),
                (4, What::Finish(0)),
            ],
            ticks: vec![
                Some((0, None)),
                Some((0, None)),
                None,
                Some((0, None)),
                None,
            ],
            probes: vec![None; 5],
        };
        log.to_jobs(&[0, 1], 4);
        assert_eq!(
            log.ticks,
            [Some((0, None)), Some((0, None)), None, Some((1, None))]
        );
        assert_eq!(log.events[5], (4, What::Finish(1)));
        assert_eq!(log.events[2], (2, What::Finish(0)));
    }
}

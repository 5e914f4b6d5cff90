//! Choosing a policy by name.

use ldex_core::Pid;
use ldex_core::sched::{Decision, Full, Hint, Requeue, Scheduler};

use crate::stub_rr::StubRoundRobin;

/// A policy chosen at run time.
pub struct DynPolicy(Box<dyn Scheduler + Send>);

/// A policy name the simulator does not know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownPolicy(pub String);

impl std::fmt::Display for UnknownPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "unknown policy {:?}; valid policies: {}",
            self.0,
            NAMES.join(", ")
        )
    }
}

impl std::error::Error for UnknownPolicy {}

/// The policy names `--policy` accepts.
pub const NAMES: &[&str] = &["rr"];

/// The policy called `name`, with `quantum` ticks where it has a quantum,
/// for up to `capacity` processes.
pub fn by_name(name: &str, quantum: u64, capacity: usize) -> Result<DynPolicy, UnknownPolicy> {
    Ok(DynPolicy(match name {
        "rr" => Box::new(StubRoundRobin::new(quantum, capacity)),
        _ => return Err(UnknownPolicy(name.into())),
    }))
}

impl Scheduler for DynPolicy {
    fn name(&self) -> &'static str {
        self.0.name()
    }
    fn admit(&mut self, pid: Pid, hint: Hint) -> Result<(), Full> {
        self.0.admit(pid, hint)
    }
    fn pick_next(&mut self) -> Option<Pid> {
        self.0.pick_next()
    }
    fn tick(&mut self, running: Option<Pid>) -> Decision {
        self.0.tick(running)
    }
    fn should_preempt(&self, running: Pid) -> Decision {
        self.0.should_preempt(running)
    }
    fn put_back(&mut self, pid: Pid, why: Requeue) {
        self.0.put_back(pid, why)
    }
    fn block(&mut self, pid: Pid) {
        self.0.block(pid)
    }
    fn wake(&mut self, pid: Pid) {
        self.0.wake(pid)
    }
    fn exit(&mut self, pid: Pid) {
        self.0.exit(pid)
    }
    fn runnable(&self) -> usize {
        self.0.runnable()
    }
}

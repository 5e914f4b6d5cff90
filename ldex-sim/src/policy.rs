//! Choosing a policy by name.

use ldex_core::Pid;
use ldex_core::sched::{
    CoopConfig, Cooperative, Decision, Fifo, Full, Hint, Lottery, Mlfq, MlfqConfig, Policy,
    Requeue, RoundRobin, Scheduler, Sjf, Stride, XorShift64,
};

/// A policy chosen at run time.
pub struct DynPolicy(Box<dyn Scheduler + Send>);

impl DynPolicy {
    /// Wrap a policy built by the caller.
    pub fn new(policy: Box<dyn Scheduler + Send>) -> Self {
        DynPolicy(policy)
    }
}

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
pub const NAMES: &[&str] = &[
    "fifo",
    "sjf",
    "stcf",
    "rr",
    "mlfq",
    "lottery",
    "stride",
    "cooperative",
];

/// The policy called `name`, with `quantum` ticks where it has a quantum,
/// for up to `capacity` processes.
pub fn by_name(name: &str, quantum: u64, capacity: usize) -> Result<DynPolicy, UnknownPolicy> {
    Ok(DynPolicy(match name {
        "fifo" => Box::new(Fifo::with_capacity(capacity)),
        "sjf" => Box::new(Sjf::with_capacity(capacity, false)),
        "stcf" => Box::new(Sjf::with_capacity(capacity, true)),
        "rr" => Box::new(RoundRobin::with_capacity(capacity, quantum)),
        "mlfq" => Box::new(Mlfq::with_capacity(
            capacity,
            MlfqConfig::uniform(3, quantum as u32),
        )),
        "lottery" => Box::new(Lottery::with_capacity(
            capacity,
            quantum,
            XorShift64::new(1),
        )),
        "stride" => Box::new(Stride::with_capacity(capacity, quantum)),
        "cooperative" => Box::new(Cooperative::with_capacity(capacity, CoopConfig::DEFAULT)),
        _ => return Err(UnknownPolicy(name.into())),
    }))
}

/// The simulator sizes its policy at run time ([`by_name`]'s `capacity`),
/// so the kernel's `N` does not: a pid beyond the capacity is refused by
/// `admit`, which the kernel reports as `SchedulerFull`.
impl Policy for DynPolicy {
    type For<const N: usize> = DynPolicy;
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
    fn supports_smp(&self) -> bool {
        self.0.supports_smp()
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
    fn priority(&self, pid: Pid) -> Option<u32> {
        self.0.priority(pid)
    }
}

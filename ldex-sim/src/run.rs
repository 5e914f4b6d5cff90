//! Running a scenario on the simulated machine, start to finish.
//!
//! Boot as OSTEP's "OS @ boot" does (install the trap table, start the
//! timer), create the processes that arrive at tick 0, hand the CPU to the
//! ldex-core scheduler loop, and collect what happened. The kernel is the
//! real [`ldex_core::Kernel`], unchanged; only the arch is simulated.

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::time::Duration;

use ldex_core::{BootToken, Config, Kernel, KernelPreemption};

use crate::arch::{SimArch, SimTimer};
use crate::baton::Halted;
use crate::machine::Machine;
use crate::memory::Memory;
use crate::os::SimOs;
use crate::policy::{self, DynPolicy, UnknownPolicy};
use crate::report::Report;
use crate::scenario::Scenario;

/// The simulated process table's capacity.
pub const MAX_PROCS: usize = 64;
/// The simulated kernel stacks' size: they hold only the trap frame, since
/// kernel code runs on host threads (see [`crate::context`]).
pub const KSTACK: usize = 1024;

/// The kernel the simulator runs.
pub type SimKernel = Kernel<SimArch, DynPolicy, SimOs, MAX_PROCS, KSTACK>;

/// The ldex-core settings a scenario asks for. One timer tick is one tick of
/// simulated time, 1 ms of the simulated timer's 1 kHz clock; the policy
/// counts quanta in ticks.
fn config(scenario: &Scenario) -> Config {
    let s = &scenario.settings;
    let config = if s.preemptive {
        Config::preemptive(Duration::from_millis(1))
    } else {
        Config::cooperative()
    };
    let config = config.with_kernel_preemption(if s.kernel_preemption {
        KernelPreemption::On
    } else {
        KernelPreemption::Off
    });
    match s.cpu_limit {
        Some(ticks) => config.with_cpu_limit(ticks),
        None => config,
    }
}

/// Run `scenario` and report what happened. The same scenario always gives
/// the same report.
pub fn run(scenario: &Scenario) -> Result<Report, UnknownPolicy> {
    let s = &scenario.settings;
    let policy = policy::by_name(&s.policy, s.quantum, MAX_PROCS)?;
    Ok(run_with(scenario, policy))
}

/// Run `scenario` under `policy` rather than the one its settings name (the
/// OSTEP replay builds each policy with the case's own parameters).
pub fn run_with(scenario: &Scenario, policy: DynPolicy) -> Report {
    let s = &scenario.settings;
    let memories = scenario
        .procs
        .iter()
        .map(|p| Memory::load(&p.program))
        .collect();
    let mut arrivals: Vec<(u64, usize)> = scenario
        .procs
        .iter()
        .enumerate()
        .filter(|(_, p)| p.arrival > 0)
        .map(|(i, p)| (p.arrival, i))
        .collect();
    arrivals.sort();
    let machine = Machine::new(memories, arrivals, s.bound, s.max_ticks);
    if !s.record_timeline {
        machine.stop_recording();
    }
    Machine::adopt(machine.clone());
    let kernel: &'static SimKernel = Box::leak(Box::new(SimKernel::new(
        config(scenario),
        policy,
        SimOs::new(scenario.procs.clone()),
    )));
    kernel.os().attach(kernel);
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: the machine starts in kernel mode and this is its one boot.
        let token = unsafe { BootToken::new() };
        kernel
            .boot(&token, s.preemptive.then_some(SimTimer))
            .expect("a fresh kernel boots");
        for (i, p) in scenario.procs.iter().enumerate() {
            if p.arrival == 0 {
                kernel.os().launch(i);
            }
        }
        kernel.run().expect("the kernel was booted")
    }));
    let (launches, results) = (kernel.os().launches(), kernel.os().results());
    // SAFETY: `kernel` came from `Box::leak` above. Dropping it drops every
    // context, which cancels and joins its kernel thread; after that nothing
    // refers to the kernel any more.
    drop(unsafe { Box::from_raw(kernel as *const SimKernel as *mut SimKernel) });
    Machine::release();
    if let Err(payload) = outcome
        && !payload.is::<Halted>()
    {
        resume_unwind(payload);
    }
    if let Some(payload) = machine.take_crash() {
        resume_unwind(payload);
    }
    Report::new(scenario.settings.clone(), &machine, launches, results)
}

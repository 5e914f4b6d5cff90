//! Running a scenario on the simulated machine, start to finish.
//!
//! Boot as OSTEP's "OS @ boot" does (install the trap table, start the
//! timer), create the processes that arrive at tick 0, hand the CPU to the
//! ldex-core scheduler loop, and collect what happened. The kernel is the
//! real [`ldex_core::Kernel`], unchanged; only the arch is simulated.

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::time::Duration;

use ldex_core::kernel::RunSummary;
use ldex_core::kstack::KernelStacks;
use ldex_core::{BootToken, Config, Kernel, KernelPreemption};

use crate::arch::{SimArch, SimTimer};
use crate::machine::{Halted, Machine};
use crate::memory::Memory;
use crate::os::SimOs;
use crate::policy::{self, DynPolicy, UnknownPolicy};
use crate::report::Report;
use crate::scenario::Scenario;

/// The most processes a scenario may have: the process table's capacity
/// (every process gets a slot of its own, so none can fail to be created
/// for want of one).
pub const MAX_PROCS: usize = 10_000;
/// The capacity of the kernel that runs scenarios of at most this many
/// processes: a small table is quick to build, and the property tests run
/// thousands of small scenarios.
pub const SMALL_PROCS: usize = 64;
/// The simulated kernel stacks' size: they hold only the trap frame, since
/// kernel code runs on coroutine stacks (see [`crate::context`]).
pub const KSTACK: usize = 1024;

/// The kernel the simulator runs, with `N` process slots.
pub type SimKernelOf<const N: usize> = Kernel<SimArch, DynPolicy, SimOs, N, KSTACK>;
/// The kernel the simulator runs at its largest.
pub type SimKernel = SimKernelOf<MAX_PROCS>;

/// The process-table capacity a run of `scenario` gets.
pub fn capacity(scenario: &Scenario) -> usize {
    if scenario.procs.len() <= SMALL_PROCS {
        SMALL_PROCS
    } else {
        MAX_PROCS
    }
}

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
    let policy = policy::by_name(&s.policy, s.quantum, capacity(scenario))?;
    Ok(run_with(scenario, policy))
}

/// The host stack a run's scheduler (and the kernel's construction) gets:
/// a [`SimKernel`] is a value of about 2 MB, which an unoptimised build
/// copies a few times on its way into its box. Reserved address space;
/// only the pages touched cost memory.
const SIM_THREAD_STACK: usize = 64 << 20;

/// Run `f` on a host thread of its own with room for a [`SimKernel`] on
/// its stack (the scheduler loop of a run is that thread; its processes
/// are coroutines). A panic in `f` carries on in the caller.
pub fn on_sim_thread<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    std::thread::scope(|scope| {
        let thread = std::thread::Builder::new()
            .name("ldex-sim".into())
            .stack_size(SIM_THREAD_STACK)
            .spawn_scoped(scope, f)
            .expect("the host can start a thread");
        thread
            .join()
            .unwrap_or_else(|payload| resume_unwind(payload))
    })
}

/// Run `scenario` under `policy` rather than the one its settings name (the
/// OSTEP replay builds each policy with the case's own parameters).
pub fn run_with(scenario: &Scenario, policy: DynPolicy) -> Report {
    if capacity(scenario) == SMALL_PROCS {
        run_here::<SMALL_PROCS>(scenario, policy)
    } else {
        on_sim_thread(|| run_here::<MAX_PROCS>(scenario, policy))
    }
}

/// [`run_with`] on the calling thread, with `N` process slots.
fn run_here<const N: usize>(scenario: &Scenario, policy: DynPolicy) -> Report {
    assert!(
        scenario.procs.len() <= N,
        "a scenario of {} processes on a table of {N}",
        scenario.procs.len()
    );
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
    let machine = Machine::with_cpus(s.cpus, memories, arrivals, s.bound, s.max_ticks);
    if !s.record_timeline {
        machine.stop_recording();
    }
    Machine::adopt(machine.clone());
    // Zeroed on the heap: the host maps the pages of the stacks a run
    // never reaches lazily, so 10,000 slots cost what the run uses.
    let stacks: &'static KernelStacks<N, KSTACK> = Box::leak(KernelStacks::new_boxed());
    let kernel: &'static SimKernelOf<N> = Box::leak(Box::new(SimKernelOf::<N>::new(
        config(scenario),
        policy,
        SimOs::new(scenario.procs.clone()),
        stacks,
    )));
    kernel.os().attach(kernel);
    let preemptive = s.preemptive;
    let first: Vec<usize> = (scenario.procs.iter().enumerate())
        .filter(|(_, p)| p.arrival == 0)
        .map(|(i, _)| i)
        .collect();
    let boot = move || -> RunSummary {
        // SAFETY: the machine starts in kernel mode and this is its one boot.
        let token = unsafe { BootToken::new() };
        kernel
            .boot(&token, preemptive.then_some(SimTimer))
            .expect("a fresh kernel boots");
        for i in first {
            kernel.os().launch(i);
        }
        kernel.run().expect("the kernel was booted")
    };
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        if s.cpus == 1 {
            return boot();
        }
        let mut cpus: Vec<Box<dyn FnOnce() -> RunSummary>> = vec![Box::new(boot)];
        for id in 1..s.cpus {
            cpus.push(Box::new(move || {
                // SAFETY: this CPU starts in kernel mode and boots once.
                let token = unsafe { BootToken::new() };
                if let Err(e) = kernel.boot_secondary(&token, preemptive.then_some(SimTimer)) {
                    Machine::current().halt(format!("CPU {id} not started: {e}"));
                }
                kernel.run().expect("the CPU was booted")
            }));
        }
        crate::smp::run_cpus(&machine, cpus)
    }));
    let cpu_stats = (0..s.cpus).map(|id| kernel.cpu_stats(id)).collect();
    let os = kernel.os();
    let (launches, refused, results) = (os.launches(), os.refused(), os.results());
    // SAFETY: `kernel` came from `Box::leak` above. Dropping it drops every
    // context, which unwinds its suspended coroutine; after that nothing
    // refers to the kernel any more.
    drop(unsafe { Box::from_raw(kernel as *const SimKernelOf<N> as *mut SimKernelOf<N>) });
    // SAFETY: `stacks` came from `Box::leak` above, and its one user, the
    // kernel, is gone.
    drop(unsafe {
        Box::from_raw(stacks as *const KernelStacks<N, KSTACK> as *mut KernelStacks<N, KSTACK>)
    });
    Machine::release();
    if let Err(payload) = outcome
        && !payload.is::<Halted>()
    {
        resume_unwind(payload);
    }
    Report::new(
        scenario.settings.clone(),
        &machine,
        launches,
        refused,
        results,
        cpu_stats,
    )
}

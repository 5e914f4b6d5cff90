//! The protocol: limited direct execution, written once for every arch.
//!
//! [`Kernel`] holds the process table, one kernel stack per process, the
//! policy and the OS. Boot code makes it a `static`, calls
//! [`Kernel::boot`], creates processes with [`Kernel::spawn`] and hands the
//! CPU to [`Kernel::run`], the per-CPU scheduler loop. From then on the
//! kernel only runs when a trap brings it back, through
//! [`TrapSink::trap`].
//!
//! # OSTEP Fig 6.2: starting a process
//! [`Kernel::spawn`] creates the process-list entry, writes a
//! [`TrapFrame`] at the top of the new kernel stack that starts the program
//! at its entry with its user stack ("fill kernel stack with reg/PC"), and
//! makes a [`Context`] whose first resume runs `process_start` below that
//! frame. `process_start` returns from the trap it never took
//! ([`Arch::return_to_user`]): the program runs in user mode.
//!
//! # OSTEP Fig 6.3: switching processes
//! A trap from user mode saves the user registers into the frame on the
//! process's kernel stack and calls [`TrapSink::trap`] with interrupts
//! disabled. To give up the CPU, a process calls `sched_out`, which suspends
//! its context back to the scheduler's ("save regs(A) -> proc t(A)"); the
//! scheduler loop picks the next process and resumes its context
//! ("restore regs(B) <- proc t(B)", "switch to k-stack(B)"). B then returns
//! from *its* trap on *its* kernel stack.
//!
//! # Per-CPU state and the fast path
//! What a CPU touches on every trap lives in its own `Cpu` block (see
//! [`crate::percpu`]): its scheduler context, its current process, its
//! pending-work word and its tick state. A system call that makes no
//! scheduling decision takes no shared lock: it counts itself in the CPU's
//! block, runs the OS's handler with the process's own slot, and reads the
//! pending-work word once on the way out. Only a decision (a tick, a yield,
//! a block, an exit, a kill, a wake-up) takes the table lock.
//!
//! # Invariants
//! * A process is `Running` exactly while it is some CPU's `current`, and
//!   its entry names that CPU.
//! * No spin lock is held and interrupts are disabled at every switch
//!   ([`Context::resume`], [`Context::suspend`]) and at every
//!   return-from-trap. Debug builds check both there (as xv6's `sched()`
//!   does), each a panic with its own name: `dispatch`, `sched_out` and
//!   `return-from-trap`, followed by `interrupts enabled` or
//!   `spin lock held`.
//! * A process's slot (kernel stack, context, arch state) is touched only by
//!   `spawn` while the slot is unused, by the scheduler loop while the process
//!   is not running, and by the process itself while it runs.
//! * A killed process dies at its next kernel-to-user boundary; a zombie is
//!   reaped by the scheduler loop right after it switched away for the last
//!   time.
//!
//! # Traps in kernel mode
//! With [`KernelPreemption::Off`] (the default) kernel code runs with
//! interrupts disabled, so the only kernel-mode interrupts are those the idle
//! loop waits for. With [`KernelPreemption::On`], system calls run with
//! interrupts enabled and a tick that the policy turns into a preemption
//! switches away right there, on the process's kernel stack. Either way a
//! preemption the kernel cannot take at once is remembered and taken at the
//! next return to user mode. A fault in kernel mode is a kernel bug: the
//! kernel panics with the frame.

use core::cell::UnsafeCell;

use crate::arch::{Arch, Context, TrapFrame, TrapSink, TrapTable};
use crate::cause::TrapCause;
use crate::config::{Config, FaultPolicy, KernelPreemption, Mode};
use crate::kstack::{KernelStack, KernelStacks};
use crate::percpu::{Cpu, MAX_CPUS};
use crate::pid::Pid;
use crate::proc::{Ending, KillReason, Name, ProcInfo, ProcState};
use crate::sched::{Decision, Hint, Policy, Requeue, Scheduler};
use crate::sync::{OnCpu, PendingWork, SpinLock};
use crate::syscall::{Os, SyscallAction, SyscallCx, WaitChannel, Wake};
use crate::timer::{self, PeriodicTimer, Timer};
use crate::token::BootToken;
use crate::trace::Event;

/// Why [`Kernel::boot`] or [`Kernel::boot_secondary`] refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BootError {
    /// The kernel (or, for [`Kernel::boot_secondary`], this CPU) was
    /// booted before.
    AlreadyBooted,
    /// [`Mode::Preemptive`] needs a timer, and none was given.
    NoTimer,
    /// [`Kernel::boot_secondary`] before [`Kernel::boot`] on the boot CPU.
    NotBooted,
    /// The policy runs one process at a time
    /// ([`Scheduler::supports_smp`] says no), so a second CPU would only
    /// idle: it was not started. Names the policy.
    UniprocessorPolicy(&'static str),
}

impl core::fmt::Display for BootError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            BootError::AlreadyBooted => f.write_str("already booted"),
            BootError::NoTimer => f.write_str("a preemptive kernel needs a timer"),
            BootError::NotBooted => f.write_str("the boot CPU has not booted the kernel"),
            BootError::UniprocessorPolicy(policy) => write!(
                f,
                "policy {policy} runs one process at a time: it cannot use a second CPU"
            ),
        }
    }
}

/// Why [`Kernel::spawn`] refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpawnError {
    /// Every slot of the process table is in use.
    TableFull,
    /// The policy cannot take another process.
    SchedulerFull,
}

/// Why [`Kernel::run`] refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunError {
    /// [`Kernel::boot`] has not run.
    NotBooted,
}

/// Why [`Kernel::kill`] refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KillError {
    /// No live process has that pid.
    NoSuchProcess,
}

/// What [`Kernel::run`] reports when no process is left.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunSummary {
    /// Timer ticks since boot on the calling CPU's clock: on the boot CPU,
    /// the elapsed time (not a sum over CPUs).
    pub ticks: u64,
    /// Processes that ran and were reaped.
    pub reaped: u64,
    /// CPUs online: the boot CPU and every one that called
    /// [`Kernel::boot_secondary`].
    pub cpus: usize,
}

/// One CPU's ticks, as its own timer counted them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CpuStats {
    /// Ticks in which the CPU ran a process.
    pub busy: u64,
    /// Ticks in which the CPU had nothing to run.
    pub idle: u64,
}

/// The invariants of every switch and return-from-trap (see the module
/// docs), checked in debug builds. `at` names the place in the panic.
#[inline(always)]
fn check_switch_invariants<A: Arch>(at: &str) {
    if cfg!(debug_assertions) {
        assert!(!A::are_enabled(), "{at}: interrupts enabled");
        assert!(A::locks_held() == 0, "{at}: spin lock held");
    }
}

/// The pids of the first use of each of `N` slots.
const fn first_pids<const N: usize>() -> [Pid; N] {
    let mut pids = [Pid::from_index(0); N];
    let mut index = 0;
    while index < N {
        pids[index] = Pid::of_use(index, 0, N);
        index += 1;
    }
    pids
}

/// One process-table entry: what the lock protects.
struct Entry<A: Arch> {
    state: ProcState,
    name: Name,
    aspace: Option<A::AddressSpace>,
    entry: usize,
    user_sp: usize,
    channel: Option<WaitChannel>,
    /// The CPU that runs the process, while it is `Running`.
    cpu: usize,
    /// Why it was killed, once it has been: it dies at its next return to
    /// user mode with this ending.
    killed: Option<KillReason>,
    ending: Option<Ending>,
    restarts: u32,
    cpu_ticks: u64,
    preemptions: u64,
    syscalls: u64,
}

impl<A: Arch> Entry<A> {
    const UNUSED: Self = Entry {
        state: ProcState::Unused,
        name: Name::EMPTY,
        aspace: None,
        entry: 0,
        user_sp: 0,
        channel: None,
        cpu: 0,
        killed: None,
        ending: None,
        restarts: 0,
        cpu_ticks: 0,
        preemptions: 0,
        syscalls: 0,
    };

    fn info(&self, pid: Pid) -> ProcInfo {
        ProcInfo {
            pid,
            name: self.name,
            state: self.state,
            cpu_ticks: self.cpu_ticks,
            preemptions: self.preemptions,
            syscalls: self.syscalls,
        }
    }
}

/// Everything behind the table lock.
struct Table<A: Arch, S, const N: usize> {
    sched: S,
    procs: [Entry<A>; N],
    booted: bool,
    reaped: u64,
    /// Processes in the table (every state but `Unused`).
    live: usize,
    /// No slot below this one is unused.
    first_free: usize,
    /// The pid of each slot's present (or next) process, a new one at each
    /// reuse ([`Pid::next_use`]): kept, not computed, because the scheduler
    /// loop asks at every pick.
    pids: [Pid; N],
    /// The CPU-time limit in force ([`Config::cpu_limit`] until
    /// [`Kernel::set_cpu_limit`]).
    cpu_limit: Option<u64>,
    /// What a user fault does ([`Config::fault_policy`] until
    /// [`Kernel::set_fault_policy`]).
    fault_policy: FaultPolicy,
    /// How control comes back: [`Config::mode`], with the tick period of
    /// [`Kernel::set_tick_period`] if boot code changed it.
    mode: Mode,
    // The SMP bookkeeping: touched at boot, at idle and at ticks only.
    /// Which CPUs have booted (bit `cpu_id`).
    online: u32,
    /// CPUs waiting for an interrupt with nothing to run, which a process
    /// becoming runnable should wake (bit `cpu_id`). Set by the CPU itself
    /// before it waits; cleared by whoever sends it the IPI.
    idle: u32,
    /// Each CPU's busy and idle ticks.
    stats: [CpuStats; MAX_CPUS],
    /// Zombies taken out of the table whose OS clean-up
    /// ([`Os::process_ended`]) has not finished: the run is not over yet.
    reaping: usize,
}

impl<A: Arch, S: Scheduler, const N: usize> Table<A, S, N> {
    fn entry(&mut self, pid: Pid) -> &mut Entry<A> {
        &mut self.procs[pid.index()]
    }

    /// The tick period, if the kernel is preemptive.
    fn period(&self) -> Option<core::time::Duration> {
        match self.mode {
            Mode::Preemptive { period } => Some(period),
            Mode::Cooperative => None,
        }
    }

    /// The pid of slot `index`'s present (or next) process.
    fn pid_of(&self, index: usize) -> Pid {
        self.pids[index]
    }

    /// The entry of `pid` if it names a process in the table now (not a
    /// stale pid of an earlier process of the same slot).
    fn live_entry(&mut self, pid: Pid) -> Option<&mut Entry<A>> {
        let index = pid.index();
        if index >= N || self.pid_of(index) != pid {
            return None;
        }
        let e = &mut self.procs[index];
        (e.state != ProcState::Unused).then_some(e)
    }

    /// Free the slot of `pid` for the next process, under a new pid.
    fn free(&mut self, pid: Pid) {
        let index = pid.index();
        self.procs[index] = Entry::UNUSED;
        self.pids[index] = self.pids[index].next_use(N);
        self.live -= 1;
        self.first_free = self.first_free.min(index);
    }

    /// A blocked process becomes runnable again.
    fn unblock(&mut self, pid: Pid) {
        let e = self.entry(pid);
        e.state = ProcState::Runnable;
        e.channel = None;
        self.sched.wake(pid);
        self.wake_idle_cpu(1);
    }

    /// A process became runnable: if another CPU idles and at least
    /// `waiting` processes are runnable, send it an IPI so that it picks
    /// now rather than at its next tick (or never, without a timer). One
    /// CPU per runnable process; it re-marks itself idle if it finds
    /// nothing. With one CPU this is one test of a zero word.
    #[inline]
    fn wake_idle_cpu(&mut self, waiting: usize) {
        let others = self.idle & !(1 << A::cpu_id());
        if others != 0 && self.sched.runnable() >= waiting {
            let cpu = others.trailing_zeros();
            self.idle &= !(1 << cpu);
            A::send_ipi(cpu as usize);
        }
    }

    /// The run is over: every idle CPU leaves its wait to see it.
    fn wake_all_idle_cpus(&mut self) {
        let mut others = self.idle & !(1 << A::cpu_id());
        self.idle &= 1 << A::cpu_id();
        while others != 0 {
            let cpu = others.trailing_zeros();
            others &= others - 1;
            A::send_ipi(cpu as usize);
        }
    }
}

/// The memory of one process that the lock does not cover, besides its
/// kernel stack (see the module invariants for who may touch it when).
struct Slot<A: Arch> {
    context: UnsafeCell<A::Context>,
    arch: UnsafeCell<Option<A::ProcessState>>,
    /// Set while a CPU runs the process on its kernel stack: from the
    /// scheduler's `resume` until that CPU has saved its context and arch
    /// state after the switch back (Linux's `on_cpu`). The table says
    /// `Runnable` a little earlier, before the process leaves its CPU, so a
    /// CPU that picks it waits for this flag before its own `resume`: a
    /// process never runs on two CPUs at once.
    on_cpu: OnCpu,
}

impl<A: Arch> Slot<A> {
    #[allow(
        clippy::declare_interior_mutable_const,
        reason = "only the seed of `[const { .. }; N]`"
    )]
    const EMPTY: Self = Slot {
        context: UnsafeCell::new(A::Context::EMPTY),
        arch: UnsafeCell::new(None),
        on_cpu: OnCpu::new(),
    };
}

/// The limited-direct-execution kernel of one CPU.
///
/// `N` is the process-table capacity and `KSTACK` the size of each kernel
/// stack in bytes. The stacks are not inside the kernel: boot code hands a
/// [`KernelStacks`] to [`Kernel::new`], so that all-zero storage stays in
/// `.bss`. `P` names the scheduling policy without a size
/// (`RoundRobin`, not `RoundRobin<[_; 16]>`): the kernel holds a
/// [`P::For<N>`](Policy::For), so the policy has room for exactly the
/// table's `N` processes.
///
/// # Example
///
/// A kernel on `ldex-sim`'s simulated machine: boot (trap table and timer),
/// create two processes, and run them until none is left. A kernel on
/// RISC-V or x86_64 does the same with its arch crate's types.
///
/// ```
/// use std::time::Duration;
///
/// use ldex_core::kstack::KernelStacks;
/// use ldex_core::proc::Ending;
/// use ldex_core::{BootToken, Config};
/// use ldex_sim::arch::SimTimer;
/// use ldex_sim::machine::Machine;
/// use ldex_sim::memory::Memory;
/// use ldex_sim::os::SimOs;
/// use ldex_sim::run::SimKernelOf;
/// use ldex_sim::{parse, policy};
///
/// // Two programs: one computes for 3 ticks, one writes and exits.
/// let scenario = parse("process A\n compute 3\nprocess B\n write \"hi\"\n exit 7\n")?;
/// let memories = scenario.procs.iter().map(|p| Memory::load(&p.program)).collect();
/// Machine::adopt(Machine::new(memories, Vec::new(), 50, 1000));
///
/// // `SimKernelOf<16>` is `Kernel<SimArch, DynPolicy, SimOs, 16, _>`; its
/// // 16 kernel stacks are zeroed memory of their own.
/// let stacks = Box::leak(KernelStacks::new_boxed());
/// let kernel: &'static SimKernelOf<16> = Box::leak(Box::new(SimKernelOf::new(
///     Config::preemptive(Duration::from_millis(1)),
///     policy::by_name("rr", 2, 16)?,
///     SimOs::new(scenario.procs.clone()),
///     stacks,
/// )));
/// kernel.os().attach(kernel);
/// // SAFETY: this is boot code, on the machine's CPU in kernel mode, once.
/// let token = unsafe { BootToken::new() };
/// kernel.boot(&token, Some(SimTimer)).expect("first boot");
/// kernel.os().launch(0); // `Kernel::spawn`, from the OS's program table
/// kernel.os().launch(1);
/// let summary = kernel.run().expect("booted");
/// assert_eq!(summary.reaped, 2);
/// // B wrote and exited while A waited out its quantum; A ran off its end.
/// let endings: Vec<_> = kernel.os().results().iter().map(|r| r.ending).collect();
/// assert_eq!(endings, [Ending::Exited(7), Ending::Exited(0)]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// The policy is sized by the kernel: one of another size is a type error.
///
/// ```compile_fail,E0308
/// use ldex_core::kstack::KernelStacks;
/// use ldex_core::sched::RoundRobin;
/// use ldex_core::{Config, Kernel};
/// use ldex_sim::arch::SimArch;
/// use ldex_sim::os::SimOs;
///
/// static STACKS: KernelStacks<16, 16384> = KernelStacks::new();
/// let kernel: Kernel<SimArch, RoundRobin, SimOs, 16> = Kernel::new(
///     Config::cooperative(),
///     RoundRobin::<[_; 8]>::new(2),
///     SimOs::new(Vec::new()),
///     &STACKS,
/// );
/// ```
pub struct Kernel<A: Arch, P: Policy, O: Os<A>, const N: usize, const KSTACK: usize = 16384> {
    config: Config,
    os: O,
    table: SpinLock<Table<A, P::For<N>, N>, A>,
    stacks: &'static KernelStacks<N, KSTACK>,
    slots: [Slot<A>; N],
    cpus: [Cpu<A>; MAX_CPUS],
}

// SAFETY: the table is behind the lock; the slots follow the ownership
// protocol in the module invariants (a slot has one user at a time), and
// each CPU block that of `crate::percpu` (its own CPU only, but for atomics).
unsafe impl<A: Arch, P: Policy, O: Os<A>, const N: usize, const KSTACK: usize> Sync
    for Kernel<A, P, O, N, KSTACK>
{
}

impl<A: Arch, P: Policy, O: Os<A>, const N: usize, const KSTACK: usize> Kernel<A, P, O, N, KSTACK> {
    /// A kernel with an empty process table, whose processes run on
    /// `stacks`. `const`, so it can be a `static`.
    pub const fn new(
        config: Config,
        sched: P::For<N>,
        os: O,
        stacks: &'static KernelStacks<N, KSTACK>,
    ) -> Self {
        Kernel {
            config,
            os,
            table: SpinLock::new(Table {
                online: 0,
                idle: 0,
                stats: [CpuStats { busy: 0, idle: 0 }; MAX_CPUS],
                reaping: 0,
                sched,
                procs: [const { Entry::UNUSED }; N],
                booted: false,
                reaped: 0,
                live: 0,
                first_free: 0,
                pids: first_pids(),
                cpu_limit: config.cpu_limit,
                fault_policy: config.fault_policy,
                mode: config.mode,
            }),
            stacks,
            slots: [const { Slot::EMPTY }; N],
            cpus: [const { Cpu::IDLE }; MAX_CPUS],
        }
    }

    /// The OS this kernel serves.
    pub fn os(&self) -> &O {
        &self.os
    }

    /// Adjust the policy: boot code applies settings it reads at run time
    /// (a quantum from the command line) to the policy of a `static` kernel.
    pub fn with_policy<R>(&self, f: impl FnOnce(&mut P::For<N>) -> R) -> R {
        f(&mut self.table.lock().sched)
    }

    /// The settings it was built with (the `set_*` methods below change
    /// the ones in force, not these).
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Change the per-process CPU-time limit (in timer ticks) chosen at
    /// run time, say from a kernel command line, after the `static` kernel
    /// was built with a `const` [`Config`].
    pub fn set_cpu_limit(&self, ticks: Option<u64>) {
        self.table.lock().cpu_limit = ticks;
    }

    /// Change what a user fault does, chosen at run time (say from a
    /// kernel command line), as [`Kernel::set_cpu_limit`] does for the
    /// CPU-time limit.
    pub fn set_fault_policy(&self, policy: FaultPolicy) {
        self.table.lock().fault_policy = policy;
    }

    /// Change the tick period of a preemptive kernel, chosen at run time
    /// (say from a kernel command line), before [`Kernel::boot`]: every
    /// CPU's timer then starts with it. A cooperative kernel has no tick and
    /// keeps none. Refused with [`BootError::AlreadyBooted`] once booted, so
    /// that every CPU ticks alike.
    ///
    /// # Panics
    /// If `period` is zero.
    pub fn set_tick_period(&self, period: core::time::Duration) -> Result<(), BootError> {
        assert!(!period.is_zero(), "the tick period must be positive");
        let mut t = self.table.lock();
        if t.booted {
            return Err(BootError::AlreadyBooted);
        }
        if let Mode::Preemptive { .. } = t.mode {
            t.mode = Mode::Preemptive { period };
        }
        Ok(())
    }

    /// The process on this CPU, if any.
    pub fn current(&self) -> Option<Pid> {
        self.cpu().current()
    }

    /// Timer ticks since boot, on this CPU's clock.
    pub fn ticks(&self) -> u64 {
        self.with_local(|l| l.ticks)
    }

    /// What the table knows about `pid`, if it is live. The system calls of
    /// a process running on another CPU are counted up to its last switch.
    pub fn info(&self, pid: Pid) -> Option<ProcInfo> {
        let own_run = if self.current() == Some(pid) {
            self.with_local(|l| l.syscalls)
        } else {
            0
        };
        let mut t = self.table.lock();
        t.live_entry(pid).map(|e| ProcInfo {
            syscalls: e.syscalls + own_run,
            ..e.info(pid)
        })
    }

    /// This CPU's block: O(1) through the arch's CPU id.
    #[inline(always)]
    fn cpu(&self) -> &Cpu<A> {
        &self.cpus[A::cpu_id()]
    }

    /// Run `f` on this CPU's own state, with interrupts disabled.
    fn with_local<R>(&self, f: impl FnOnce(&mut crate::percpu::Local<A>) -> R) -> R {
        let saved = A::save_and_disable();
        // SAFETY: this CPU, interrupts off, and `f` cannot reach `local`
        // again (it is private to this module and `f` gets the only
        // reference).
        let r = f(unsafe { self.cpu().local() });
        A::restore(saved);
        r
    }

    /// A process became runnable (created or woken): if the policy wants it
    /// on a CPU now, preempt that CPU's process at its next chance.
    fn note_arrival(&self, t: &mut Table<A, P::For<N>, N>) {
        let me = A::cpu_id();
        for (id, cpu) in self.cpus.iter().enumerate() {
            if let Some(running) = cpu.current()
                && t.sched.should_preempt(running) == Decision::Preempt
            {
                cpu.pending().post(PendingWork::RESCHED);
                if id != me {
                    A::send_ipi(id);
                }
            }
        }
        t.wake_idle_cpu(1);
    }

    /// How many ticks CPU `cpu` has spent running processes and idling, if
    /// it is online.
    pub fn cpu_stats(&self, cpu: usize) -> Option<CpuStats> {
        let t = self.table.lock();
        (cpu < MAX_CPUS && t.online & (1 << cpu) != 0).then(|| t.stats[cpu])
    }

    /// The live process whose pid is `number`, if there is one: how a
    /// system call turns a user's pid (say `kill(2)`'s) into a [`Pid`].
    pub fn pid(&self, number: u32) -> Option<Pid> {
        let index = (number as usize).checked_sub(1)? % N;
        let mut t = self.table.lock();
        let pid = t.pid_of(index);
        (pid.get() == number && t.live_entry(pid).is_some()).then_some(pid)
    }

    /// Where each process slot's kernel stack lies (`KSTACK` bytes each, in
    /// slot order), so a kernel can take a page of each out of its page
    /// tables as a guard: an overflow then faults instead of running into
    /// the neighbouring slot. Read-only; the stacks never move.
    pub fn kernel_stacks(&self) -> impl Iterator<Item = core::ops::Range<usize>> + '_ {
        self.stacks.ranges()
    }

    /// The trap frame at the top of slot `index`'s kernel stack.
    fn frame(&self, index: usize) -> *mut A::TrapFrame {
        KernelStack::frame(self.stacks.get(index))
    }

    /// Report one step, if tracing is on: with it off the event is never
    /// built, and the step costs the [`Os::tracing`] test.
    #[inline(always)]
    fn trace(&self, event: Event) {
        if self.os.tracing() {
            self.os.trace(&event);
        }
    }

    /// OSTEP "OS @ boot": install the trap table (which remembers the
    /// address of the trap handler: this kernel) and, in preemptive mode,
    /// start the interrupt timer, its period converted from
    /// [`Mode::Preemptive`]'s duration with the frequency `timer` reports
    /// now. Privileged, once.
    pub fn boot(
        &'static self,
        token: &BootToken,
        timer: Option<A::Timer>,
    ) -> Result<(), BootError> {
        let mut t = self.table.lock();
        let period = t.period();
        if t.booted {
            return Err(BootError::AlreadyBooted);
        }
        if period.is_some() && timer.is_none() {
            return Err(BootError::NoTimer);
        }
        t.booted = true;
        t.online |= 1 << A::cpu_id();
        self.start_cpu(token, period, timer);
        Ok(())
    }

    /// Bring a secondary CPU into the kernel: install the trap table on it
    /// and start its own timer, as [`Kernel::boot`] did on the boot CPU.
    /// Then the CPU calls [`Kernel::run`]. Runs on that CPU (its
    /// [`Arch::cpu_id`] is not the boot CPU's), after `boot`; how the CPU
    /// was started (SBI HSM, INIT–SIPI–SIPI) is the board's business.
    ///
    /// Refused with [`BootError::UniprocessorPolicy`] when the policy runs
    /// one process at a time ([`Scheduler::supports_smp`]): the kernel
    /// then goes on with the CPUs it has.
    pub fn boot_secondary(
        &'static self,
        token: &BootToken,
        timer: Option<A::Timer>,
    ) -> Result<(), BootError> {
        let me = 1 << A::cpu_id();
        let mut t = self.table.lock();
        let period = t.period();
        if !t.booted {
            return Err(BootError::NotBooted);
        }
        if t.online & me != 0 {
            return Err(BootError::AlreadyBooted);
        }
        if !t.sched.supports_smp() {
            return Err(BootError::UniprocessorPolicy(t.sched.name()));
        }
        if period.is_some() && timer.is_none() {
            return Err(BootError::NoTimer);
        }
        t.online |= me;
        self.start_cpu(token, period, timer);
        Ok(())
    }

    /// The part of booting every CPU does for itself, under the table lock:
    /// its trap table and its timer.
    fn start_cpu(
        &'static self,
        token: &BootToken,
        period: Option<core::time::Duration>,
        timer: Option<A::Timer>,
    ) {
        self.trace(Event::TrapTableInit);
        A::TrapTable::install(token, self);
        self.trace(Event::TrapTableRemembered);
        if let (Some(period), Some(timer)) = (period, timer) {
            self.trace(Event::TimerStart {
                period: timer::units(period, timer.frequency_hz()),
            });
            let mut periodic = PeriodicTimer::new(timer);
            periodic.start(token, period);
            self.with_local(|l| l.timer = Some(periodic));
            self.trace(Event::TimerStarted {
                period_us: u64::try_from(period.as_micros()).unwrap_or(u64::MAX),
            });
        }
    }

    /// OSTEP Fig 6.2: create a process that will start in user mode at
    /// `entry` with stack pointer `user_sp`, in address space `aspace` (the
    /// OS has loaded the program there already).
    pub fn spawn(
        &'static self,
        name: &str,
        entry: usize,
        user_sp: usize,
        aspace: Option<A::AddressSpace>,
        hint: Hint,
    ) -> Result<Pid, SpawnError> {
        let mut t = self.table.lock();
        let first_free = t.first_free;
        let index = t.procs[first_free..]
            .iter()
            .position(|e| e.state == ProcState::Unused)
            .map(|i| first_free + i)
            .ok_or(SpawnError::TableFull)?;
        t.first_free = index;
        let pid = t.pid_of(index);
        t.sched
            .admit(pid, hint)
            .map_err(|_| SpawnError::SchedulerFull)?;
        t.live += 1;
        *t.entry(pid) = Entry {
            state: ProcState::Runnable,
            name: Name::new(name),
            aspace,
            entry,
            user_sp,
            ..Entry::UNUSED
        };
        self.trace(Event::ProcCreate { pid });
        self.trace(Event::ProgramLoad { pid });
        let slot = &self.slots[index];
        let frame = self.frame(index);
        // SAFETY: the slot was unused, so nothing else touches its memory,
        // and we hold the table lock, so nobody picks the process yet.
        unsafe {
            frame.write(A::TrapFrame::new_user(entry, user_sp));
            *slot.context.get() = A::Context::new(
                Self::process_start,
                self as *const Self as usize,
                frame.cast(),
            );
            *slot.arch.get() = Some(A::ProcessState::default());
        }
        self.trace(Event::KstackFill { pid });
        self.note_arrival(&mut t);
        Ok(pid)
    }

    /// Ask the kernel to end `pid`. It dies at its next return to user mode
    /// (a blocked process is woken for it), `killed: killed by the kernel`.
    pub fn kill(&self, pid: Pid) -> Result<(), KillError> {
        self.kill_for(pid, KillReason::Requested)
    }

    /// [`Kernel::kill`] with the ending `reason` (the first reason stands
    /// if it is killed twice): an OS's `kill(2)` names the killer with
    /// [`KillReason::By`]. A process running on another CPU is stopped by
    /// an IPI, so it dies within the time the IPI takes, not at its CPU's
    /// next tick.
    pub fn kill_for(&self, pid: Pid, reason: KillReason) -> Result<(), KillError> {
        let mut t = self.table.lock();
        let e = t.live_entry(pid).ok_or(KillError::NoSuchProcess)?;
        match e.state {
            ProcState::Unused | ProcState::Zombie => Err(KillError::NoSuchProcess),
            ProcState::Blocked => {
                e.killed.get_or_insert(reason);
                t.unblock(pid);
                Ok(())
            }
            ProcState::Runnable => {
                e.killed.get_or_insert(reason);
                Ok(())
            }
            ProcState::Running => {
                e.killed.get_or_insert(reason);
                let cpu = e.cpu;
                self.cpus[cpu].pending().post(PendingWork::KILL);
                if cpu != A::cpu_id() {
                    // Its CPU reads the word at the process's next trap;
                    // the IPI is that trap, within the time it takes.
                    A::send_ipi(cpu);
                }
                Ok(())
            }
        }
    }

    /// The per-CPU scheduler loop: every CPU runs it, the boot CPU after
    /// [`Kernel::boot`], a secondary one after [`Kernel::boot_secondary`].
    /// Runs processes until none is left, on the stack it was called on
    /// (the boot stack becomes the scheduler's). A CPU with nothing to run
    /// waits for an interrupt ([`Arch::wait_for_interrupt`]); another CPU
    /// that makes a process runnable wakes it with an IPI.
    ///
    /// Every CPU returns once no process is left; the boot CPU's summary is
    /// the run's (its `ticks` are the elapsed time).
    pub fn run(&'static self) -> Result<RunSummary, RunError> {
        A::disable();
        let me = A::cpu_id();
        if self.table.lock().online & (1 << me) == 0 {
            return Err(RunError::NotBooted);
        }
        loop {
            A::interrupt_window();
            let picked = {
                let mut t = self.table.lock();
                t.idle &= !(1 << me);
                if t.live == 0 && t.reaping == 0 && !self.os.expects_processes() {
                    return Ok(RunSummary {
                        ticks: self.ticks(),
                        reaped: t.reaped,
                        cpus: t.online.count_ones() as usize,
                    });
                }
                // A policy names slots: its pid may be an earlier one of
                // the slot's, so take the slot's present pid.
                let picked = t.sched.pick_next().map(|p| t.pid_of(p.index()));
                let picked = picked.map(|pid| {
                    let e = t.entry(pid);
                    assert_eq!(
                        e.state,
                        ProcState::Runnable,
                        "the policy picked P{pid}, which is not runnable"
                    );
                    e.state = ProcState::Running;
                    e.cpu = me;
                    let work = if e.killed.is_some() {
                        PendingWork::KILL
                    } else {
                        0
                    };
                    let aspace = e.aspace;
                    self.cpu().set_current(Some(pid), work);
                    (pid, aspace)
                });
                if picked.is_none() {
                    t.idle |= 1 << me;
                }
                picked
            };
            match picked {
                Some((pid, aspace)) => self.dispatch(pid, aspace),
                None => {
                    self.trace(Event::Idle);
                    A::wait_for_interrupt();
                }
            }
        }
    }

    /// Switch from the scheduler to `pid`, and clean up when it switches back.
    fn dispatch(&'static self, pid: Pid, aspace: Option<A::AddressSpace>) {
        let slot = &self.slots[pid.index()];
        let cpu = self.cpu();
        if self.os.tracing() {
            for event in [
                Event::PickNext { pid },
                Event::RestoreContext { pid },
                Event::SwitchKstack { pid },
            ] {
                self.os.trace(&event);
            }
        }
        // The CPU the process last ran on may still be switching away from
        // it (it was made runnable under the lock just before): wait for
        // that switch to end. Never long, and never on one CPU.
        slot.on_cpu.claim();
        // SAFETY: the process is not running (we are the scheduler, and no
        // other CPU is on its stack: `on_cpu` was clear), so its slot is
        // ours, frame included; its kernel stack lives as long as the kernel
        // and its frame was written by `spawn`.
        unsafe {
            let state = (*slot.arch.get())
                .as_mut()
                .expect("a live process has arch state");
            A::enter_process(self.frame(pid.index()), aspace, state);
            check_switch_invariants::<A>("dispatch");
            A::Context::resume(cpu.scheduler(), slot.context.get());
            let state = (*slot.arch.get())
                .as_mut()
                .expect("a live process has arch state");
            A::leave_process(&mut *self.frame(pid.index()), state);
        }
        // The process left the CPU in a table-lock hold of its own (its
        // yield, block or exit), which already counted its system calls:
        // the common switch back takes no lock here. Only a zombie is
        // reaped under the lock.
        cpu.set_current(None, 0);
        // SAFETY: the scheduler, on this CPU, with interrupts off.
        let local = unsafe { cpu.local() };
        debug_assert_eq!(local.syscalls, 0, "P{pid} left the CPU without leave_cpu");
        let zombie = core::mem::take(&mut local.reap);
        // Context and arch state are saved: another CPU may take it now.
        slot.on_cpu.release();
        if zombie {
            self.reap(pid);
        }
    }

    /// Free the slot of `pid`, a zombie that just switched away for the last
    /// time, and report its end.
    #[cold]
    #[inline(never)]
    fn reap(&self, pid: Pid) {
        let (info, ending, aspace) = {
            let mut t = self.table.lock();
            let e = t.entry(pid);
            assert_eq!(e.state, ProcState::Zombie, "P{pid} was reaped alive");
            let info = e.info(pid);
            let ending = e.ending.expect("a zombie has an ending");
            let aspace = e.aspace;
            t.free(pid);
            t.reaped += 1;
            t.reaping += 1;
            (info, ending, aspace)
        };
        self.trace(Event::Reap { pid });
        self.os.process_ended(&info, &ending);
        if let Some(aspace) = aspace {
            self.os.free_address_space(aspace);
        }
        let mut t = self.table.lock();
        t.reaping -= 1;
        if t.live == 0 {
            t.wake_all_idle_cpus();
        }
    }

    /// The first code a new process runs, on its kernel stack below its
    /// frame: return-from-trap into user mode.
    extern "C-unwind" fn process_start(kernel: usize) -> ! {
        // SAFETY: `spawn` passed the address of this `'static` kernel.
        let kernel = unsafe { &*(kernel as *const Self) };
        let pid = kernel
            .current()
            .expect("a new process starts as the current one");
        let frame = kernel.frame(pid.index());
        // SAFETY: `frame` is the top of the current kernel stack, written by
        // `spawn` and untouched since.
        kernel.prepare_return(pid, unsafe { &mut *frame }, kernel.os.tracing());
        // SAFETY: as above; `dispatch` ran `enter_process` for this stack.
        unsafe { A::return_to_user(frame) }
    }

    /// Everything the protocol does before return-from-trap to user mode:
    /// read the pending-work word (die if killed, take a deferred
    /// preemption), report return-from-trap if `tracing`, and check its
    /// invariants. The arch's exit path then returns.
    #[inline(always)]
    fn prepare_return(&self, pid: Pid, frame: &mut A::TrapFrame, tracing: bool) {
        if self.cpu().pending().read() != 0 {
            self.do_pending_work(pid);
        }
        if tracing {
            self.trace(Event::ReturnFromTrap { pid });
            self.trace(Event::RestoreRegs { pid });
            self.trace(Event::ToUserMode {
                pid,
                pc: frame.pc(),
            });
        }
        check_switch_invariants::<A>("return-from-trap");
    }

    /// The rare way out: die if killed, else give up the CPU for as long as
    /// preemptions keep coming. Kept out of line so the common return path
    /// stays short. The process may come back on another CPU, so each round
    /// reads the pending work of the CPU it is on now.
    #[cold]
    #[inline(never)]
    fn do_pending_work(&self, pid: Pid) {
        loop {
            let work = self.cpu().pending().take_all();
            if work & PendingWork::KILL != 0 {
                let reason = self.table.lock().entry(pid).killed;
                let reason = reason.expect("KILL is posted only for a killed process");
                self.exit_current(pid, Ending::Killed(reason));
            }
            if work & PendingWork::RESCHED == 0 {
                return;
            }
            self.trace(Event::Preempt { pid });
            self.requeue_current(pid, Requeue::Preempted);
        }
    }

    /// Switch from the running process to the scheduler. Returns when the
    /// scheduler switches back.
    fn sched_out(&self, pid: Pid) {
        // A tick that came due while the process was in the kernel (its
        // interrupt still pending) is the process's, not the next one's. Its
        // CPU-time limit is enforced at its next tick.
        let _ = self.charge_if_due();
        self.trace(Event::SaveContext { pid });
        check_switch_invariants::<A>("sched_out");
        let slot = &self.slots[pid.index()];
        // SAFETY: we are `pid`, running on its kernel stack with interrupts
        // disabled and no lock held; the scheduler's `resume` of `pid` with
        // these two contexts (this CPU's) brought us here and has not
        // returned.
        unsafe { A::Context::suspend(slot.context.get(), self.cpu().scheduler()) };
    }

    /// The running `pid` leaves this CPU (it yields, blocks or exits), in
    /// the caller's table-lock hold: add its run's system calls to its
    /// entry, and return the entry. The scheduler it switches back to then
    /// needs no hold of its own (see `dispatch`).
    fn leave_cpu<'t>(&self, t: &'t mut Table<A, P::For<N>, N>, pid: Pid) -> &'t mut Entry<A> {
        // SAFETY: this CPU, interrupts off (the table lock is held), no
        // other reference.
        let run = core::mem::take(&mut unsafe { self.cpu().local() }.syscalls);
        let e = t.entry(pid);
        e.syscalls += run;
        e
    }

    /// The running process stays runnable but gives up the CPU.
    fn requeue_current(&self, pid: Pid, why: Requeue) {
        {
            let mut t = self.table.lock();
            let e = self.leave_cpu(&mut t, pid);
            e.state = ProcState::Runnable;
            if why == Requeue::Preempted {
                e.preemptions += 1;
            }
            t.sched.put_back(pid, why);
            // This CPU picks next: another is wanted only for a second
            // runnable process.
            t.wake_idle_cpu(2);
        }
        self.sched_out(pid);
    }

    /// The running process ends. Its slot is reaped by the scheduler.
    #[cold]
    #[inline(never)]
    fn exit_current(&self, pid: Pid, ending: Ending) -> ! {
        {
            let mut t = self.table.lock();
            let e = self.leave_cpu(&mut t, pid);
            e.state = ProcState::Zombie;
            e.ending = Some(ending);
            t.sched.exit(pid);
            // SAFETY: this CPU, interrupts off, no other reference.
            unsafe { self.cpu().local() }.reap = true;
        }
        self.trace(match ending {
            Ending::Exited(code) => Event::Exit { pid, code },
            Ending::Killed(reason) => Event::Kill { pid, reason },
        });
        self.sched_out(pid);
        unreachable!("the scheduler resumed zombie P{pid}");
    }

    /// Inlined into [`TrapSink::trap`] (and so into the arch's dispatch):
    /// the null system call's path is one function.
    #[inline(always)]
    fn user_trap(&self, frame: &mut A::TrapFrame, cause: TrapCause) {
        // The way in touches only this CPU's block: who trapped and the
        // system call count. With a timer of discrete time, a tick that came
        // due in the same instant as a trap other than the timer's is
        // charged first to the process that ran it, so the policy sees the
        // tick before the system call (the tick's interrupt, still pending,
        // then finds nothing to count). Hardware skips this at compile time.
        let cpu = self.cpu();
        let pid = cpu
            .current()
            .expect("a trap from user mode with no current process");
        let tracing = self.os.tracing();
        let over_limit = if <A::Timer as Timer>::CHARGE_DUE_ON_TRAP && cause != TrapCause::Timer {
            self.charge_if_due()
        } else {
            None
        };
        if cause == TrapCause::Syscall {
            // SAFETY: this CPU, interrupts off (a trap), no other reference.
            unsafe { cpu.local() }.syscalls += 1;
        }
        if tracing {
            self.trace(Event::Trap {
                pid: Some(pid),
                cause,
            });
            self.trace(Event::SaveRegs { pid });
            self.trace(Event::ToKernelMode);
            self.trace(Event::HandleTrap { pid, cause });
        }
        if let Some((_, limit)) = over_limit {
            self.exit_current(pid, Ending::Killed(KillReason::CpuLimit { ticks: limit }));
        }
        match cause {
            TrapCause::Syscall => self.syscall(cpu, pid, frame, tracing),
            TrapCause::Timer => self.tick(),
            // Another CPU posted work to this one: the way out reads it.
            TrapCause::Ipi => {}
            TrapCause::External(irq) => self.interrupt(irq),
            TrapCause::IllegalInstruction
            | TrapCause::PrivilegedInstruction
            | TrapCause::MemoryFault { .. }
            | TrapCause::Breakpoint
            | TrapCause::DivideError
            | TrapCause::Misaligned { .. }
            | TrapCause::Other(_) => self.fault(pid, frame, cause),
        }
        self.prepare_return(pid, frame, tracing);
    }

    #[inline(never)]
    fn kernel_trap(&self, frame: &mut A::TrapFrame, cause: TrapCause) {
        self.trace(Event::KernelTrap { cause });
        match cause {
            TrapCause::Timer => self.tick(),
            // An idle CPU woken to pick, or a process's CPU told to look at
            // its pending work (taken below or at the way out).
            TrapCause::Ipi => {}
            TrapCause::External(irq) => self.interrupt(irq),
            TrapCause::Syscall
            | TrapCause::IllegalInstruction
            | TrapCause::PrivilegedInstruction
            | TrapCause::MemoryFault { .. }
            | TrapCause::Breakpoint
            | TrapCause::DivideError
            | TrapCause::Misaligned { .. }
            | TrapCause::Other(_) => {
                panic!("kernel fault: {cause} at pc {:#x}\n{frame:#x?}", frame.pc())
            }
        }
        let preempt_here = self.config.kernel_preemption == KernelPreemption::On;
        if preempt_here {
            let cpu = self.cpu();
            if let Some(pid) = cpu.current()
                && cpu.pending().take(PendingWork::RESCHED)
            {
                self.trace(Event::Preempt { pid });
                self.requeue_current(pid, Requeue::Preempted);
            }
        }
    }

    /// A system call. The common case (the OS answers
    /// [`SyscallAction::Return`]) stays inline and straight: one call into
    /// the OS, the result register, back. Sleeping, yielding and blocking
    /// are out of line, so the null call carries none of their set-up.
    #[inline(always)]
    fn syscall(&self, cpu: &Cpu<A>, pid: Pid, frame: &mut A::TrapFrame, tracing: bool) {
        if tracing {
            self.trace(Event::Syscall {
                pid,
                nr: frame.syscall_number(),
            });
        }
        // SAFETY: `cpu` is this CPU's (the trap's way in found it, and
        // interrupts are still off), no other reference.
        let ticks = unsafe { cpu.local() }.ticks;
        let slot = &self.slots[pid.index()];
        // SAFETY: `pid` is running: its arch state is its own.
        let arch = unsafe {
            (*slot.arch.get())
                .as_mut()
                .expect("a live process has arch state")
        };
        let mut cx = SyscallCx::new(pid, frame, arch, ticks);
        let action = match self.call_os(&mut cx) {
            SyscallAction::Sleep { channel } => {
                match self.sleep_and_retry(&mut cx, channel, tracing) {
                    Some(action) => action,
                    // Killed while asleep: the call is not made again.
                    None => return,
                }
            }
            action => action,
        };
        match action {
            SyscallAction::Return(value) => frame.set_syscall_return(value),
            action => self.carry_out(pid, frame, action),
        }
    }

    /// [`Os::syscall`], with interrupts on around it under kernel
    /// preemption.
    #[inline(always)]
    fn call_os(&self, cx: &mut SyscallCx<'_, A>) -> SyscallAction {
        let preemptible = self.config.kernel_preemption == KernelPreemption::On;
        if preemptible {
            A::enable();
        }
        let action = self.os.syscall(cx);
        if preemptible {
            A::disable();
        }
        action
    }

    /// [`SyscallAction::Sleep`]: sleep on `channel`, then make the call
    /// again, as long as the OS answers `Sleep`. `None` if the process was
    /// killed while asleep.
    #[cold]
    #[inline(never)]
    fn sleep_and_retry(
        &self,
        cx: &mut SyscallCx<'_, A>,
        mut channel: WaitChannel,
        tracing: bool,
    ) -> Option<SyscallAction> {
        loop {
            if self.sleep(cx.pid, channel) {
                return None;
            }
            if tracing {
                self.trace(Event::Syscall {
                    pid: cx.pid,
                    nr: cx.nr(),
                });
            }
            match self.call_os(cx) {
                SyscallAction::Sleep { channel: next } => channel = next,
                action => return Some(action),
            }
        }
    }

    /// Every [`SyscallAction`] but an immediate return: set the result
    /// register, then yield, block or end. Out of line: the null system
    /// call's path never comes here.
    #[inline(never)]
    fn carry_out(&self, pid: Pid, frame: &mut A::TrapFrame, action: SyscallAction) {
        match action {
            SyscallAction::Return(value) => frame.set_syscall_return(value),
            SyscallAction::Yield(value) => {
                frame.set_syscall_return(value);
                self.trace(Event::Yield { pid });
                self.requeue_current(pid, Requeue::Yielded);
            }
            SyscallAction::Block { channel, value } => {
                frame.set_syscall_return(value);
                {
                    let mut t = self.table.lock();
                    let e = self.leave_cpu(&mut t, pid);
                    e.state = ProcState::Blocked;
                    e.channel = Some(channel);
                    t.sched.block(pid);
                }
                self.trace(Event::Block { pid });
                self.sched_out(pid);
            }
            SyscallAction::Sleep { .. } => unreachable!("sleep_and_retry sleeps"),
            SyscallAction::Exit(code) => self.exit_current(pid, Ending::Exited(code)),
            SyscallAction::Kill(why) => self.exit_current(pid, Ending::Killed(KillReason::Os(why))),
        }
    }

    /// [`SyscallAction::Sleep`]: block `pid` on `channel` unless
    /// [`Os::still_waiting`] says what it waits for has come, checked under
    /// the table lock that [`Wake::wake`] takes, with interrupts off, so a
    /// wake is never lost between the OS's look and the block. Returns
    /// once woken (or at once): `true` if the process was killed meanwhile.
    fn sleep(&self, pid: Pid, channel: WaitChannel) -> bool {
        {
            let mut t = self.table.lock();
            if !self.os.still_waiting(channel) {
                return t.entry(pid).killed.is_some();
            }
            let e = self.leave_cpu(&mut t, pid);
            e.state = ProcState::Blocked;
            e.channel = Some(channel);
            t.sched.block(pid);
        }
        self.trace(Event::Block { pid });
        self.sched_out(pid);
        self.table.lock().entry(pid).killed.is_some()
    }

    /// A timer tick: charge it, let the policy decide, enforce the CPU-time
    /// limit. A preemption is taken on the way back to user mode.
    fn tick(&self) {
        let over_limit = self.charge(&mut self.table.lock());
        self.os.tick();
        if let Some((pid, ticks)) = over_limit {
            self.exit_current(pid, Ending::Killed(KillReason::CpuLimit { ticks }));
        }
    }

    /// [`Kernel::charge`] a tick that came due but whose interrupt has not
    /// been taken yet; nothing (no acknowledge) if none is due.
    /// Only with a timer that asks for it ([`Timer::CHARGE_DUE_ON_TRAP`]).
    fn charge_if_due(&self) -> Option<(Pid, u64)> {
        if !<A::Timer as Timer>::CHARGE_DUE_ON_TRAP {
            return None;
        }
        // SAFETY: this CPU, interrupts off (a trap or a switch).
        let due = unsafe { self.cpu().local() }
            .timer
            .as_ref()
            .is_some_and(PeriodicTimer::is_due);
        if due {
            self.charge(&mut self.table.lock())
        } else {
            None
        }
    }

    /// Count the ticks that elapsed, charge them to the running process and
    /// ask the policy. Returns the running process if it is now over its
    /// CPU-time limit.
    fn charge(&self, t: &mut Table<A, P::For<N>, N>) -> Option<(Pid, u64)> {
        let cpu = self.cpu();
        // SAFETY: this CPU, interrupts off (a trap or a switch).
        let local = unsafe { cpu.local() };
        let elapsed = local.timer.as_mut()?.acknowledge();
        if elapsed == 0 {
            return None;
        }
        local.ticks += elapsed;
        let running = cpu.current();
        let stats = &mut t.stats[A::cpu_id()];
        if running.is_some() {
            stats.busy += elapsed;
        } else {
            stats.idle += elapsed;
        }
        let mut decision = Decision::Continue;
        for _ in 0..elapsed {
            if t.sched.tick(running) == Decision::Preempt {
                decision = Decision::Preempt;
            }
        }
        let pid = running?;
        if decision == Decision::Preempt {
            cpu.pending().post(PendingWork::RESCHED);
        }
        let limit = t.cpu_limit;
        let e = t.entry(pid);
        e.cpu_ticks += elapsed;
        limit.filter(|&l| e.cpu_ticks >= l).map(|l| (pid, l))
    }

    /// A device interrupt: the OS handles it, then the policy may want the
    /// CPU for a process it woke.
    fn interrupt(&self, irq: u32) {
        self.os.interrupt(irq, self);
        self.note_arrival(&mut self.table.lock());
    }

    #[cold]
    #[inline(never)]
    fn fault(&self, pid: Pid, frame: &mut A::TrapFrame, cause: TrapCause) {
        let policy = self.table.lock().fault_policy;
        match policy {
            FaultPolicy::Kill => {}
            FaultPolicy::Panic => panic!("P{pid}: user fault: {cause} at pc {:#x}", frame.pc()),
            FaultPolicy::Restart { limit } => {
                let restart = {
                    let mut t = self.table.lock();
                    let e = t.entry(pid);
                    (e.restarts < limit).then(|| {
                        e.restarts += 1;
                        (e.entry, e.user_sp)
                    })
                };
                if let Some((entry, user_sp)) = restart {
                    self.trace(Event::Kill {
                        pid,
                        reason: KillReason::Fault(cause),
                    });
                    self.trace(Event::KstackFill { pid });
                    *frame = A::TrapFrame::new_user(entry, user_sp);
                    // SAFETY: `pid` is running: its arch state is its own.
                    let state = unsafe { &mut *self.slots[pid.index()].arch.get() };
                    A::restart_process(state.get_or_insert_with(A::ProcessState::default));
                    return;
                }
            }
        }
        self.exit_current(pid, Ending::Killed(KillReason::Fault(cause)));
    }
}

impl<A: Arch, P: Policy, O: Os<A>, const N: usize, const KSTACK: usize> TrapSink<A::TrapFrame>
    for Kernel<A, P, O, N, KSTACK>
{
    /// Inlined into the arch's dispatch for this kernel (see
    /// [`SinkSlot`](crate::arch::SinkSlot)): a trap is one Rust function
    /// from the entry asm to the OS's handler.
    #[inline(always)]
    fn trap(&self, frame: &mut A::TrapFrame, cause: TrapCause) {
        if frame.from_user() {
            self.user_trap(frame, cause);
        } else {
            self.kernel_trap(frame, cause);
        }
    }
}

impl<A: Arch, P: Policy, O: Os<A>, const N: usize, const KSTACK: usize> Wake
    for Kernel<A, P, O, N, KSTACK>
{
    fn wake(&self, channel: WaitChannel) -> usize {
        let mut woken = 0;
        let mut t = self.table.lock();
        for index in 0..N {
            let e = &t.procs[index];
            if e.state == ProcState::Blocked && e.channel == Some(channel) {
                let pid = t.pid_of(index);
                t.unblock(pid);
                self.trace(Event::Wake { pid });
                woken += 1;
            }
        }
        woken
    }
}

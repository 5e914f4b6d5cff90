//! The boot driver both example kernels run once their firmware entry has
//! found the command line and the initrd, and built their page tables and
//! timer: command line → policy → boot → spawn → run → exit code.
//!
//! A kernel makes its `static` an [`ExampleKernel`] built by [`kernel`],
//! then hands [`run`] a [`Boot`]. The initrd may hold any number of
//! programs: `run` starts what fits in the process table, and each reaped
//! process makes room for the next, in archive order ([`refill`]). When
//! the last has ended, `run` says whether every frame came back. Both kernels therefore share the defaults
//! below, every `[kernel]` message, and the meaning of their exit status
//! ([`ExitCode`]); each arch only says how the status leaves QEMU.

use core::fmt;
use core::time::Duration;

use ldex_core::kstack::KernelStacks;
use ldex_core::sched::{Hint, RoundRobin};
use ldex_core::sync::SpinLock;
use ldex_core::{Arch, BootToken, Config, FaultPolicy, Kernel, KernelPreemption, MAX_CPUS};

mod refill;

use crate::cmdline::CmdLine;
use crate::console::{Console, print};
use crate::frames;
use crate::initrd::{ProcessBuilder, Queue, Setup, SpawnError};
use crate::os::{ExampleOs, Platform, STORM_BUDGET};

/// The timer tick without `tick=MS`: 10 ms, converted at boot with the
/// frequency the timer reports.
pub const TICK: Duration = Duration::from_millis(10);
/// The time slice without `quantum=N`: one tick, so preemption shows in a
/// transcript as soon as a second process is runnable.
pub const DEFAULT_QUANTUM: u64 = 1;
/// The CPU-time limit without `cpulimit=N`: 200 ticks (2 s), ample for
/// every bundled program under QEMU's emulation, short enough that a
/// program spinning for ever ends the boot soon.
pub const DEFAULT_CPU_LIMIT: u64 = 200;

/// An example kernel: round robin over `N` processes, the Linux-ABI
/// [`ExampleOs`] on platform `P`, kernel stacks of `KSTACK` bytes.
pub type ExampleKernel<A, P, const N: usize, const KSTACK: usize> =
    Kernel<A, RoundRobin, ExampleOs<A, P, N>, N, KSTACK>;

/// An example kernel: preemptive with a [`TICK`], the default CPU limit
/// and quantum, system calls preemptible or not as `preemption` says, the
/// OS on `platform`, and its processes on `stacks` (a `static`, all zero,
/// so in `.bss`); `const`, so it can be a `static`.
pub const fn kernel<A: Arch, P: Platform<A>, const N: usize, const KSTACK: usize>(
    preemption: KernelPreemption,
    platform: P,
    stacks: &'static KernelStacks<N, KSTACK>,
) -> ExampleKernel<A, P, N, KSTACK> {
    let config = Config::preemptive(TICK)
        .with_cpu_limit(DEFAULT_CPU_LIMIT)
        .with_kernel_preemption(preemption);
    Kernel::new(
        config,
        RoundRobin::new(DEFAULT_QUANTUM),
        ExampleOs::new(platform),
        stacks,
    )
}

/// How an example kernel ends, whatever the arch: its exit status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitCode {
    /// Every process ended (0).
    Success = 0,
    /// A kernel panic, or a boot that cannot go on: ldex refused to boot or
    /// run, or the machine is not one the kernel can run on (1).
    Panic = 1,
    /// No initrd, or an empty or damaged one: nothing to run (2).
    NoPrograms = 2,
    /// An initrd whose files all were refused (3).
    NoneRunnable = 3,
}

/// What the firmware entry hands the driver.
pub struct Boot<'a, A: Arch> {
    /// Boot code's token.
    pub token: &'a BootToken,
    /// The kernel command line.
    pub cmdline: &'a str,
    /// The initrd's bytes, if the firmware passed one.
    pub initrd: Option<&'a [u8]>,
    /// The timer, ready for `Kernel::boot`.
    pub timer: A::Timer,
    /// Where kernel messages go.
    pub console: &'a dyn Console,
    /// Stop the machine with a status.
    pub power_off: fn(ExitCode) -> !,
    /// Called on every CPU once its trap table is installed: on this one
    /// after `Kernel::boot`, on each other one after
    /// `Kernel::boot_secondary` ([`run_secondary`]). The fault-test builds
    /// fault there.
    pub after_boot: fn(),
    /// Called once the first programs are processes, just before this CPU
    /// (the boot CPU) enters the scheduler loop: where a kernel starts its
    /// other CPUs, each of which calls `Kernel::boot_secondary` and runs
    /// the same loop ([`run_secondary`]).
    pub start_cpus: fn(),
}

/// The boot's [`Boot::after_boot`], for the other CPUs: set by [`run`]
/// before it starts them.
static AFTER_BOOT: SpinLock<Option<fn()>> = SpinLock::new(None);

/// What a secondary CPU does once its board code has given it a CPU id
/// and a stack: boot it into `kernel` with its `timer`, call the boot's
/// [`Boot::after_boot`], and run the scheduler loop until no process is left, then wait for interrupts for
/// good (the boot CPU powers the machine off). A CPU the kernel refuses
/// (a policy that runs one process at a time) says why and waits too.
pub fn run_secondary<A, P, const N: usize, const KSTACK: usize>(
    kernel: &'static ExampleKernel<A, P, N, KSTACK>,
    token: &BootToken,
    timer: A::Timer,
    console: &dyn Console,
) -> !
where
    A: Arch,
    P: Platform<A>,
{
    match kernel.boot_secondary(token, Some(timer)) {
        Ok(()) => {
            let after_boot = *AFTER_BOOT.lock();
            if let Some(after_boot) = after_boot {
                after_boot();
            }
            if let Err(e) = kernel.run() {
                print(console, format_args!("[kernel] run failed: {e:?}\n"));
            }
        }
        Err(e) => print(console, format_args!("[kernel] CPU not used: {e}\n")),
    }
    A::disable();
    loop {
        A::wait_for_interrupt();
    }
}

/// Print `[kernel] MESSAGE` and power off with `code`.
pub fn fail(
    console: &dyn Console,
    power_off: fn(ExitCode) -> !,
    code: ExitCode,
    message: fmt::Arguments<'_>,
) -> ! {
    print(console, format_args!("[kernel] {message}\n"));
    power_off(code)
}

/// Make a program the loader has put in `space` a process of `kernel` (a
/// loader's spawn hook). A full process table or policy means the program
/// waits for a slot ([`SpawnError::Full`]).
pub fn spawn<A: Arch, P: Platform<A>, const N: usize, const KSTACK: usize>(
    kernel: &'static ExampleKernel<A, P, N, KSTACK>,
    name: &str,
    entry: u64,
    sp: u64,
    space: A::AddressSpace,
) -> Result<(), SpawnError> {
    kernel
        .spawn(name, entry as usize, sp as usize, Some(space), Hint::NONE)
        .map(drop)
        .map_err(|_| SpawnError::Full)
}

/// Apply the command line to `kernel`, boot it, make one process per
/// program of the initrd with `builder`, run until none is left, and power
/// off with the [`ExitCode`] that says how it went.
pub fn run<A, P, B, const N: usize, const KSTACK: usize>(
    kernel: &'static ExampleKernel<A, P, N, KSTACK>,
    boot: Boot<'_, A>,
    setup: &Setup<'_>,
    builder: &mut B,
) -> !
where
    A: Arch,
    P: Platform<A>,
    B: ProcessBuilder,
{
    let free_at_boot = frames::count();
    let (console, power_off) = (boot.console, boot.power_off);
    let cmd = CmdLine::parse(boot.cmdline);
    for problem in cmd.problems() {
        print(console, format_args!("[kernel] {problem}\n"));
    }
    let quantum = cmd.quantum.unwrap_or(DEFAULT_QUANTUM);
    let cpu_limit = cmd.cpu_limit.unwrap_or(DEFAULT_CPU_LIMIT);
    let tick = cmd.tick_ms.map_or(TICK, Duration::from_millis);
    if let Err(e) = kernel.set_tick_period(tick) {
        fail(
            console,
            power_off,
            ExitCode::Panic,
            format_args!("tick={}: {e}", tick.as_millis()),
        );
    }
    print(
        console,
        format_args!(
            "[kernel] tick {} ms, quantum {quantum}, cpulimit {cpu_limit} ticks\n",
            tick.as_millis()
        ),
    );
    kernel.with_policy(|policy| policy.set_quantum(quantum));
    kernel.set_cpu_limit(Some(cpu_limit));
    if let Some(limit) = cmd.restarts {
        print(
            console,
            format_args!(
                "[kernel] a process whose code faults starts over, {limit} times at most\n"
            ),
        );
        kernel.set_fault_policy(FaultPolicy::Restart { limit });
    }
    kernel.os().set_tracing(cmd.trace);
    kernel.os().set_processes(kernel);
    if let Err(e) = kernel.boot(boot.token, Some(boot.timer)) {
        fail(
            console,
            power_off,
            ExitCode::Panic,
            format_args!("boot failed: {e:?}"),
        );
    }
    (boot.after_boot)();
    *AFTER_BOOT.lock() = Some(boot.after_boot);

    let Some(archive) = boot.initrd.filter(|a| !a.is_empty()) else {
        fail(
            console,
            power_off,
            ExitCode::NoPrograms,
            format_args!(
                "no initrd: boot QEMU with -initrd ARCHIVE (a cpio newc archive of ELF programs)"
            ),
        )
    };
    let mut loader = refill::Loader {
        queue: Queue::new(archive),
        setup,
        builder,
        console,
    };
    loader.start();
    let summary = loader.queue.summary();
    // SAFETY: this function never returns, so `loader` outlives the kernel,
    // and from here on only the after-reap hook touches it.
    unsafe { refill::install(&raw mut loader) };
    kernel.os().set_after_reap(refill::start_more::<B>);
    if summary.started == 0 {
        let (code, why) = match summary.damaged {
            Some(_) => (
                ExitCode::NoPrograms,
                "the initrd is not a usable cpio newc archive",
            ),
            None if summary.refused == 0 => (ExitCode::NoPrograms, "the initrd holds no files"),
            None => (ExitCode::NoneRunnable, "none of the initrd files can run"),
        };
        fail(console, power_off, code, format_args!("{why}"));
    }
    (boot.start_cpus)();
    match kernel.run() {
        Ok(summary) => {
            let free_now = frames::count();
            if free_now == free_at_boot {
                print(
                    console,
                    format_args!("[kernel] every frame came back: {free_now} free\n"),
                );
            } else {
                print(
                    console,
                    format_args!(
                        "[kernel] frames not all back: {free_at_boot} free before the programs, {free_now} after\n"
                    ),
                );
            }
            if summary.cpus > 1 {
                for (cpu, stats) in (0..MAX_CPUS).filter_map(|c| Some((c, kernel.cpu_stats(c)?))) {
                    print(
                        console,
                        format_args!(
                            "[kernel] cpu {cpu}: {} ticks busy, {} idle\n",
                            stats.busy, stats.idle
                        ),
                    );
                }
            }
            let os = kernel.os();
            let (dropped, spurious, storms) = (os.input().dropped(), os.spurious(), os.storms());
            if dropped + spurious + storms > 0 {
                print(
                    console,
                    format_args!(
                        "[kernel] console input: {dropped} bytes dropped (buffer full); device interrupts: {spurious} spurious, held back in {storms} ticks (over {STORM_BUDGET} a tick)\n"
                    ),
                );
            }
            print(
                console,
                format_args!(
                    "[kernel] all {} processes ended after {} ticks on {} {}; powering off\n",
                    summary.reaped,
                    summary.ticks,
                    summary.cpus,
                    if summary.cpus == 1 { "CPU" } else { "CPUs" }
                ),
            );
            power_off(ExitCode::Success)
        }
        Err(e) => fail(
            console,
            power_off,
            ExitCode::Panic,
            format_args!("run failed: {e:?}"),
        ),
    }
}

//! The protocol's settings, chosen at boot.

use core::time::Duration;

/// How control comes back to the kernel from a process that does not ask.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// No timer: only system calls, yields and faults return control
    /// (OSTEP 6.2, "a cooperative approach"). A process that spins keeps the
    /// CPU for ever.
    Cooperative,
    /// A periodic timer interrupt returns control every `period` (OSTEP
    /// 6.2, "a non-cooperative approach").
    Preemptive {
        /// The tick period. [`Kernel::boot`](crate::Kernel::boot) turns it
        /// into the arch timer's units with the frequency the timer reports
        /// then ([`Timer::frequency_hz`](crate::Timer::frequency_hz): read
        /// from a device tree, or calibrated), so the same `Config` gives the
        /// same tick on every machine.
        period: Duration,
    },
}

/// What a timer interrupt taken in kernel mode (say, during a system call)
/// does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KernelPreemption {
    /// The kernel runs with interrupts disabled; a tick that arrives meanwhile
    /// stays pending and is taken right after return-from-trap, charged to the
    /// process. The default: simple and what xv6's uniprocessor ancestors did.
    Off,
    /// System call handlers run with interrupts enabled; a tick in kernel mode
    /// is counted and, if the policy says so, the process is preempted inside
    /// the kernel, on its own kernel stack.
    On,
}

/// What happens to a process whose user code faults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultPolicy {
    /// End the process; the kernel and the others go on.
    Kill,
    /// Panic the kernel (for debugging user programs under a debugger).
    Panic,
    /// Kill the process and start it again from its first frame, at most this
    /// many times, then kill it for good.
    Restart {
        /// How many restarts a process gets.
        limit: u32,
    },
}

/// All the settings of a [`Kernel`](crate::Kernel).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// Cooperative or preemptive.
    pub mode: Mode,
    /// Whether kernel code can be preempted.
    pub kernel_preemption: KernelPreemption,
    /// What a user fault does.
    pub fault_policy: FaultPolicy,
    /// The CPU-time limit per process, in timer ticks (like `RLIMIT_CPU`);
    /// `None` for no limit. Only a preemptive kernel can enforce it.
    pub cpu_limit: Option<u64>,
}

impl Config {
    /// Preemptive with the given tick period, a non-preemptible kernel,
    /// faults kill, no CPU-time limit.
    ///
    /// ```
    /// use core::time::Duration;
    /// use ldex_core::{Config, Mode};
    ///
    /// // A 10 ms tick, whatever the timer's clock: converted at boot.
    /// const CONFIG: Config = Config::preemptive(Duration::from_millis(10)).with_cpu_limit(200);
    /// assert_eq!(CONFIG.mode, Mode::Preemptive { period: Duration::from_millis(10) });
    /// ```
    pub const fn preemptive(period: Duration) -> Config {
        Config {
            mode: Mode::Preemptive { period },
            kernel_preemption: KernelPreemption::Off,
            fault_policy: FaultPolicy::Kill,
            cpu_limit: None,
        }
    }

    /// Cooperative: no timer, faults kill.
    pub const fn cooperative() -> Config {
        Config {
            mode: Mode::Cooperative,
            kernel_preemption: KernelPreemption::Off,
            fault_policy: FaultPolicy::Kill,
            cpu_limit: None,
        }
    }

    /// The same, with a CPU-time limit of `ticks` timer ticks per process.
    pub const fn with_cpu_limit(mut self, ticks: u64) -> Config {
        self.cpu_limit = Some(ticks);
        self
    }

    /// The same, with another kernel-preemption setting.
    pub const fn with_kernel_preemption(mut self, p: KernelPreemption) -> Config {
        self.kernel_preemption = p;
        self
    }

    /// The same, with another fault policy.
    pub const fn with_fault_policy(mut self, f: FaultPolicy) -> Config {
        self.fault_policy = f;
        self
    }
}

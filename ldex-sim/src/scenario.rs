//! What the simulator runs: programs and settings.
//!
//! A scenario is written in the small text format that [`crate::parse`]
//! reads (see `docs/scenario-format.md`); `scenarios/default.scn` is the
//! default run.

use ldex_core::sched::Hint;

/// One instruction of a scripted user program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// Run in user mode for this many ticks.
    Compute(u64),
    /// `write(1, text)`: print the text through the kernel.
    Write(String),
    /// `write(1, p, len)` with `p` in kernel memory: the kernel answers
    /// `-EFAULT` and the program goes on.
    WriteKernelPointer,
    /// `getpid()`.
    GetPid,
    /// A raw system call with this number and arguments.
    Syscall(usize, Vec<usize>),
    /// `sched_yield()`.
    Yield,
    /// Read from the simulated disk: block for this many ticks.
    Io(u64),
    /// A system call whose work in the kernel takes this many ticks (with
    /// interrupts on or off as the kernel-preemption setting says).
    KernelWork(u64),
    /// Loop for ever without calling the kernel.
    Spin,
    /// A privileged instruction, which traps in user mode.
    Privileged(PrivOp),
    /// Load from a kernel address, which faults.
    TouchKernel,
    /// Divide by zero, which faults.
    DivideByZero,
    /// `exit(code)`.
    Exit(i32),
}

/// The privileged operations a program can try.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrivOp {
    /// Point the trap table somewhere else.
    SetTrapTable,
    /// Stop the timer.
    StopTimer,
}

impl PrivOp {
    /// The name in the scenario format.
    pub fn name(self) -> &'static str {
        match self {
            PrivOp::SetTrapTable => "set-trap-table",
            PrivOp::StopTimer => "stop-timer",
        }
    }
}

/// One process of a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcSpec {
    /// Its name.
    pub name: String,
    /// The tick it is created at.
    pub arrival: u64,
    /// What the policy may know about it.
    pub hint: Hint,
    /// Its program. Running off the end exits with code 0, as returning from
    /// `main` does.
    pub program: Vec<Op>,
}

/// The settings a scenario may choose (command-line flags override them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// The policy name.
    pub policy: String,
    /// The quantum in ticks, for the policies that have one.
    pub quantum: u64,
    /// `false` for cooperative mode (no timer).
    pub preemptive: bool,
    /// CPU-time limit per process, in ticks.
    pub cpu_limit: Option<u64>,
    /// May a timer interrupt preempt a process inside a system call?
    pub kernel_preemption: bool,
    /// Ticks a process may run without trapping before the simulator stops
    /// it (only matters without a timer).
    pub bound: u64,
    /// The simulator stops after this many ticks in all.
    pub max_ticks: u64,
    /// The machine's CPUs (1 to [`ldex_core::MAX_CPUS`]).
    pub cpus: usize,
    /// Record the timeline (off for speed when nobody will read it).
    pub record_timeline: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            policy: "rr".into(),
            quantum: 2,
            preemptive: true,
            cpu_limit: None,
            kernel_preemption: false,
            bound: 50,
            max_ticks: 100_000,
            cpus: 1,
            record_timeline: true,
        }
    }
}

/// A whole scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scenario {
    /// Its settings.
    pub settings: Settings,
    /// Its processes, in creation order.
    pub procs: Vec<ProcSpec>,
}

/// The default scenario's text.
pub const DEFAULT: &str = include_str!("../scenarios/default.scn");

impl Op {
    /// The instruction in the scenario format.
    pub fn to_text(&self) -> String {
        match self {
            Op::Compute(n) => format!("compute {n}"),
            Op::Write(text) => format!("write {text:?}"),
            Op::WriteKernelPointer => "write-kernel-pointer".into(),
            Op::GetPid => "getpid".into(),
            Op::Syscall(nr, args) => {
                let mut s = format!("syscall {nr}");
                for a in args {
                    s.push_str(&format!(" {a}"));
                }
                s
            }
            Op::Yield => "yield".into(),
            Op::Io(n) => format!("io {n}"),
            Op::KernelWork(n) => format!("kernel-work {n}"),
            Op::Spin => "spin".into(),
            Op::Privileged(p) => format!("privileged {}", p.name()),
            Op::TouchKernel => "touch-kernel".into(),
            Op::DivideByZero => "divide-by-zero".into(),
            Op::Exit(code) => format!("exit {code}"),
        }
    }
}

impl Scenario {
    /// The scenario in its text format; [`crate::parse`] reads it back.
    pub fn to_text(&self) -> String {
        let s = &self.settings;
        let mut out = format!("policy {}\nquantum {}\n", s.policy, s.quantum);
        match s.cpu_limit {
            Some(t) => out.push_str(&format!("cpu-limit {t}\n")),
            None => out.push_str("cpu-limit none\n"),
        }
        out.push_str(&format!("bound {}\nmax-ticks {}\n", s.bound, s.max_ticks));
        if s.cpus != 1 {
            out.push_str(&format!("cpus {}\n", s.cpus));
        }
        out.push_str(if s.preemptive {
            "preemptive\n"
        } else {
            "cooperative\n"
        });
        out.push_str(if s.kernel_preemption {
            "kernel-preemption on\n"
        } else {
            "kernel-preemption off\n"
        });
        for p in &self.procs {
            out.push_str(&format!(
                "\nprocess {} arrival={} tickets={}",
                p.name, p.arrival, p.hint.tickets
            ));
            if let Some(l) = p.hint.length {
                out.push_str(&format!(" length={l}"));
            }
            out.push('\n');
            for op in &p.program {
                out.push_str(&format!("  {}\n", op.to_text()));
            }
        }
        out
    }
}

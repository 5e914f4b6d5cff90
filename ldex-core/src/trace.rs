//! The protocol's timeline, in the words of OSTEP Figures 6.2 and 6.3.
//!
//! The protocol reports every step through [`Os::trace`](crate::Os::trace),
//! whose default does nothing (and inlines away). Each [`Event`] belongs to
//! one of the figures' three columns and prints as the figures word it, with
//! `P<pid>` where the book writes A and B. The simulator and the example
//! kernels print the same events, so their timelines read alike.
//!
//! Hardware-column events describe what the CPU and the arch's entry code
//! did at the boundary; the protocol reports them when it takes over (a trap)
//! or hands back (return-from-trap), so every arch reports them the same way.

use core::fmt;

use crate::cause::TrapCause;
use crate::pid::Pid;
use crate::proc::KillReason;

/// The three columns of OSTEP's protocol figures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Column {
    /// "OS @ boot/run (kernel mode)".
    Os,
    /// "Hardware".
    Hardware,
    /// "Program (user mode)".
    Program,
}

/// One step of the protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// OS @ boot: "initialize trap table".
    TrapTableInit,
    /// Hardware: "remember address of syscall handler, timer handler".
    TrapTableRemembered,
    /// OS @ boot: "start interrupt timer".
    TimerStart {
        /// The period, in timer units.
        period: u64,
    },
    /// Hardware: "start timer; interrupt CPU every N µs".
    TimerStarted {
        /// The period, in microseconds.
        period_us: u64,
    },
    /// OS: "create entry for process list".
    ProcCreate {
        /// The new process.
        pid: Pid,
    },
    /// OS: "load program into memory; setup user stack with argv" (the OS
    /// did it before [`Kernel::spawn`](crate::Kernel::spawn), which reports
    /// it in the figure's order).
    ProgramLoad {
        /// The new process.
        pid: Pid,
    },
    /// OS: "fill kernel stack with reg/PC".
    KstackFill {
        /// The new process.
        pid: Pid,
    },
    /// OS: "scheduler picks P".
    PickNext {
        /// The chosen process.
        pid: Pid,
    },
    /// OS: "restore regs(P) <- proc t(P)".
    RestoreContext {
        /// The process switched to.
        pid: Pid,
    },
    /// OS: "switch to k-stack(P)".
    SwitchKstack {
        /// The process switched to.
        pid: Pid,
    },
    /// OS: "return-from-trap (into P)".
    ReturnFromTrap {
        /// The process returned to.
        pid: Pid,
    },
    /// Hardware: "restore regs(P) <- k-stack(P)".
    RestoreRegs {
        /// The process returned to.
        pid: Pid,
    },
    /// Hardware: "move to user mode; jump to P's PC".
    ToUserMode {
        /// The process returned to.
        pid: Pid,
        /// The pc it resumes at.
        pc: usize,
    },
    /// Hardware: the trap itself ("timer interrupt", "trap into OS").
    Trap {
        /// The process that was running, if any.
        pid: Option<Pid>,
        /// Why.
        cause: TrapCause,
    },
    /// Hardware: "save regs(P) -> k-stack(P)".
    SaveRegs {
        /// The process trapped from.
        pid: Pid,
    },
    /// Hardware: "move to kernel mode; jump to trap handler".
    ToKernelMode,
    /// OS: "handle the trap".
    HandleTrap {
        /// The process trapped from.
        pid: Pid,
        /// Why.
        cause: TrapCause,
    },
    /// OS: "do work of syscall".
    Syscall {
        /// The caller.
        pid: Pid,
        /// The system call number.
        nr: usize,
    },
    /// OS: the policy takes the CPU from P.
    Preempt {
        /// The process preempted.
        pid: Pid,
    },
    /// OS: P gives up the CPU.
    Yield {
        /// The process yielding.
        pid: Pid,
    },
    /// OS: P blocks.
    Block {
        /// The process blocking.
        pid: Pid,
    },
    /// OS: P becomes runnable again.
    Wake {
        /// The process woken.
        pid: Pid,
    },
    /// OS: "call switch() routine; save regs(P) -> proc t(P)".
    SaveContext {
        /// The process switched away from.
        pid: Pid,
    },
    /// OS: the kernel kills P.
    Kill {
        /// The process killed.
        pid: Pid,
        /// Why.
        reason: KillReason,
    },
    /// OS: P exits.
    Exit {
        /// The process exiting.
        pid: Pid,
        /// Its exit code.
        code: i32,
    },
    /// OS: "free memory of process; remove from process list".
    Reap {
        /// The process reaped.
        pid: Pid,
    },
    /// OS: nothing is runnable: wait for an interrupt.
    Idle,
    /// OS: a trap arrived in kernel mode.
    KernelTrap {
        /// Why.
        cause: TrapCause,
    },
}

impl Event {
    /// The figure column this event belongs to.
    pub const fn column(&self) -> Column {
        match self {
            Event::TrapTableRemembered
            | Event::TimerStarted { .. }
            | Event::RestoreRegs { .. }
            | Event::ToUserMode { .. }
            | Event::Trap { .. }
            | Event::SaveRegs { .. }
            | Event::ToKernelMode => Column::Hardware,
            _ => Column::Os,
        }
    }
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Event::TrapTableInit => f.write_str("initialize trap table"),
            Event::TrapTableRemembered => {
                f.write_str("remember address of syscall handler, timer handler")
            }
            Event::TimerStart { .. } => f.write_str("start interrupt timer"),
            Event::TimerStarted { period_us } if period_us % 1000 == 0 => {
                write!(
                    f,
                    "start timer; interrupt CPU every {} ms",
                    period_us / 1000
                )
            }
            Event::TimerStarted { period_us } => {
                write!(f, "start timer; interrupt CPU every {period_us} µs")
            }
            Event::ProcCreate { pid } => write!(f, "create entry for process list (P{pid})"),
            Event::ProgramLoad { pid } => {
                write!(
                    f,
                    "load program into memory; setup user stack with argv (P{pid})"
                )
            }
            Event::KstackFill { pid } => write!(f, "fill kernel stack with reg/PC (P{pid})"),
            Event::PickNext { pid } => write!(f, "scheduler picks P{pid}"),
            Event::RestoreContext { pid } => write!(f, "restore regs(P{pid}) <- proc t(P{pid})"),
            Event::SwitchKstack { pid } => write!(f, "switch to k-stack(P{pid})"),
            Event::ReturnFromTrap { pid } => write!(f, "return-from-trap (into P{pid})"),
            Event::RestoreRegs { pid } => write!(f, "restore regs(P{pid}) <- k-stack(P{pid})"),
            Event::ToUserMode { pid, pc } => {
                write!(f, "move to user mode; jump to P{pid}'s PC {pc:#x}")
            }
            Event::Trap {
                cause: TrapCause::Syscall,
                ..
            } => f.write_str("trap into OS"),
            Event::Trap { cause, .. } => write!(f, "{cause}"),
            Event::SaveRegs { pid } => write!(f, "save regs(P{pid}) -> k-stack(P{pid})"),
            Event::ToKernelMode => f.write_str("move to kernel mode; jump to trap handler"),
            Event::HandleTrap { cause, .. } => write!(f, "handle the trap ({cause})"),
            Event::Syscall { nr, .. } => write!(f, "do work of syscall {nr}"),
            Event::Preempt { pid } => write!(f, "preempt P{pid}"),
            Event::Yield { pid } => write!(f, "P{pid} yields"),
            Event::Block { pid } => write!(f, "P{pid} blocks"),
            Event::Wake { pid } => write!(f, "wake P{pid}"),
            Event::SaveContext { pid } => {
                write!(
                    f,
                    "call switch() routine; save regs(P{pid}) -> proc t(P{pid})"
                )
            }
            Event::Kill { pid, reason } => write!(f, "kill P{pid}: {reason}"),
            Event::Exit { pid, code } => write!(f, "P{pid} exits with code {code}"),
            Event::Reap { pid } => {
                write!(f, "free memory of process; remove P{pid} from process list")
            }
            Event::Idle => f.write_str("idle: wait for interrupt"),
            Event::KernelTrap { cause } => write!(f, "{cause} in kernel mode"),
        }
    }
}

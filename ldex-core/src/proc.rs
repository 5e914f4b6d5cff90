//! Process states, names and how a process ends.

use core::fmt;

use crate::cause::TrapCause;

/// The state of a process table slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProcState {
    /// Free slot.
    Unused,
    /// Ready to run; the policy holds it.
    Runnable,
    /// On the CPU.
    Running,
    /// Waiting on a channel.
    Blocked,
    /// Ended, waiting for the scheduler to reap it.
    Zombie,
}

/// Why the kernel killed a process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KillReason {
    /// Its user code faulted.
    Fault(TrapCause),
    /// It used up its CPU-time limit.
    CpuLimit {
        /// The limit, in ticks.
        ticks: u64,
    },
    /// The OS asked ([`Kernel::kill`](crate::Kernel::kill)).
    Requested,
    /// The OS ended it from one of its system calls
    /// ([`SyscallAction::Kill`](crate::SyscallAction::Kill)), for the reason
    /// it names: a Linux-like OS says `signal 6 (SIGABRT)` for `abort()`.
    Os(&'static str),
    /// Another process asked, through the OS
    /// ([`Kernel::kill_for`](crate::Kernel::kill_for)), for the reason `why`:
    /// a Linux-like OS says `signal 9 (SIGKILL)` for `kill(pid, SIGKILL)`.
    By {
        /// The process that asked.
        killer: crate::Pid,
        /// What it asked for.
        why: &'static str,
    },
}

/// How a process ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// It called exit with this code.
    Exited(i32),
    /// The kernel killed it.
    Killed(KillReason),
}

impl fmt::Display for KillReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KillReason::Fault(cause) => write!(f, "{cause}"),
            KillReason::CpuLimit { ticks } => write!(f, "CPU time limit ({ticks} ticks)"),
            KillReason::Requested => f.write_str("killed by the kernel"),
            KillReason::Os(why) => f.write_str(why),
            KillReason::By { killer, why } => write!(f, "{why} from pid {killer}"),
        }
    }
}

impl fmt::Display for Ending {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ending::Exited(code) => write!(f, "exit {code}"),
            Ending::Killed(reason) => write!(f, "killed: {reason}"),
        }
    }
}

/// A process name: up to [`Name::MAX`] bytes of UTF-8, cut at a character
/// boundary.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Name {
    bytes: [u8; Name::MAX],
    len: u8,
}

impl Name {
    /// The longest name kept.
    pub const MAX: usize = 24;

    /// The empty name.
    pub const EMPTY: Name = Name {
        bytes: [0; Name::MAX],
        len: 0,
    };

    /// Keep the first [`Name::MAX`] bytes of `s` (at a char boundary).
    pub fn new(s: &str) -> Name {
        let mut end = s.len().min(Name::MAX);
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        let mut bytes = [0; Name::MAX];
        bytes[..end].copy_from_slice(&s.as_bytes()[..end]);
        Name {
            bytes,
            len: end as u8,
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        // Built from a &str cut at a char boundary.
        core::str::from_utf8(&self.bytes[..self.len as usize]).unwrap_or("?")
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the kernel knows about a process when it is reaped, or asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProcInfo {
    /// Its pid.
    pub pid: crate::Pid,
    /// Its name.
    pub name: Name,
    /// Its state.
    pub state: ProcState,
    /// Timer ticks it ran for (user and kernel time charged to it).
    pub cpu_ticks: u64,
    /// How often the policy took the CPU away from it.
    pub preemptions: u64,
    /// How many system calls it made.
    pub syscalls: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_is_cut_at_a_char_boundary() {
        let n = Name::new("ééééééééééééé");
        assert_eq!(n.as_str().len(), 24);
        assert_eq!(Name::new("hello").as_str(), "hello");
    }
}

//! `kill`, `tkill` and `tgkill`: signals, of which nothing is delivered.
//!
//! There is one thread per process and no handler is ever installed, so a
//! signal does what its default action does on Linux: a terminating one
//! ends the target ([`abi::signal::ending`] names it), any other is
//! ignored, and signal 0 only asks whether the target exists.
//!
//! * To the caller itself: [`SyscallAction::Kill`], so it ends in its own
//!   system call: `killed: signal 6 (SIGABRT)`.
//! * To another process: through the kernel's [`Processes`]
//!   ([`Kernel::kill_for`]), with the ending `killed: signal 9 (SIGKILL)
//!   from pid 2`. It dies at its next return to user mode; if it is
//!   running on another CPU, the kernel's IPI makes that trap come at
//!   once, not at that CPU's next tick.

use ldex_core::kernel::KillError;
use ldex_core::proc::KillReason;
use ldex_core::sched::Policy;
use ldex_core::syscall::errno;
use ldex_core::{Arch, Kernel, Os, Pid, SyscallAction};

/// What the OS may do to processes other than the caller: the kernel
/// itself ([`ExampleOs::set_processes`](super::ExampleOs::set_processes)),
/// as the OS is built before the kernel that holds it.
pub trait Processes: Sync {
    /// The live process numbered `number` ([`Kernel::pid`]).
    fn pid(&self, number: u32) -> Option<Pid>;
    /// End `pid` with `reason` ([`Kernel::kill_for`]).
    fn kill_for(&self, pid: Pid, reason: KillReason) -> Result<(), KillError>;
}

impl<A: Arch, P: Policy, O: Os<A>, const N: usize, const KSTACK: usize> Processes
    for Kernel<A, P, O, N, KSTACK>
where
    Self: Sync,
{
    fn pid(&self, number: u32) -> Option<Pid> {
        Kernel::pid(self, number)
    }

    fn kill_for(&self, pid: Pid, reason: KillReason) -> Result<(), KillError> {
        Kernel::kill_for(self, pid, reason)
    }
}

/// Signal `sig` from `me` to the process numbered `target` (`None`: no
/// process can have that number). `others` reaches the other processes;
/// without it (before the kernel is set) every other process is missing.
pub fn signal(
    me: Pid,
    target: Option<usize>,
    sig: usize,
    others: Option<&dyn Processes>,
) -> SyscallAction {
    if sig > abi::signal::MAX {
        return SyscallAction::Return(errno::ret(errno::EINVAL));
    }
    let ending = abi::signal::ending(sig).filter(|_| sig != 0);
    if target == Some(me.get() as usize) {
        return match ending {
            Some(why) => SyscallAction::Kill(why),
            None => SyscallAction::Return(0),
        };
    }
    let victim = target
        .and_then(|n| u32::try_from(n).ok())
        .zip(others)
        .and_then(|(n, others)| Some((others.pid(n)?, others)));
    let Some((victim, others)) = victim else {
        return SyscallAction::Return(errno::ret(errno::ESRCH));
    };
    let Some(why) = ending else {
        return SyscallAction::Return(0);
    };
    SyscallAction::Return(
        match others.kill_for(victim, KillReason::By { killer: me, why }) {
            Ok(()) => 0,
            Err(KillError::NoSuchProcess) => errno::ret(errno::ESRCH),
        },
    )
}

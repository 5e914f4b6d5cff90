//! The OS's half of the protocol: its system call table, its interrupt
//! handlers and its trace sink.
//!
//! ldex-core owns *when* things happen (trap dispatch, scheduling, exit); the
//! OS built on it owns *what* a system call means. It implements [`Os`] and
//! answers each call with a [`SyscallAction`], which the protocol carries
//! out: set the result register and return-from-trap, yield, block or exit.

use crate::arch::{Arch, TrapFrame};
use crate::pid::Pid;
use crate::proc::{Ending, ProcInfo};
use crate::trace::Event;

/// Linux errno values the protocol and the example kernels return.
pub mod errno {
    /// No such process (`kill` of a pid that names no live process).
    pub const ESRCH: isize = 3;
    /// Bad address: a pointer or length outside the caller's user memory.
    pub const EFAULT: isize = 14;
    /// Invalid argument.
    pub const EINVAL: isize = 22;
    /// Function not implemented: an unknown system call number.
    pub const ENOSYS: isize = 38;
    /// Bad file descriptor.
    pub const EBADF: isize = 9;

    /// The register value user mode sees for `-errno`.
    pub const fn ret(errno: isize) -> usize {
        (-errno) as usize
    }
}

/// A wait channel: blocked processes wait on one, an interrupt wakes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct WaitChannel(pub usize);

/// What the protocol does after a system call.
#[must_use = "the protocol must carry out a system call's action"]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyscallAction {
    /// Put `value` in the result register and return-from-trap.
    Return(usize),
    /// Put `value` in the result register, give up the CPU, and return to
    /// the process when the policy picks it again (`sched_yield`).
    Yield(usize),
    /// Put `value` in the result register and block on `channel` until an
    /// interrupt handler wakes it.
    Block {
        /// What to wait for.
        channel: WaitChannel,
        /// The result once woken.
        value: usize,
    },
    /// Block on `channel` until an interrupt handler wakes it, then make
    /// the same system call again: the OS answers it anew (xv6's
    /// `while (nothing) sleep(chan)`, the call's loop run by the protocol).
    /// Just before blocking, with interrupts off, the protocol asks
    /// [`Os::still_waiting`], so a wake that came between the OS's look
    /// and the block is not lost.
    Sleep {
        /// What to wait for.
        channel: WaitChannel,
    },
    /// End the process with this exit code.
    Exit(i32),
    /// Kill the process, with this reason as its ending
    /// ([`KillReason::Os`](crate::proc::KillReason::Os)): for example a
    /// signal it sent itself that nothing catches.
    Kill(&'static str),
}

/// What a system call handler sees: the caller, its saved registers (read
/// through [`SyscallCx::nr`] and [`SyscallCx::arg`], so only the arguments
/// a call uses are ever loaded), its arch state and the time.
pub struct SyscallCx<'a, A: Arch> {
    /// The calling process.
    pub pid: Pid,
    /// The caller's saved registers, read-only: the protocol writes the
    /// result register after the OS answered.
    frame: &'a A::TrapFrame,
    /// The caller's arch state (for example the FS base of `arch_prctl`).
    pub arch: &'a mut A::ProcessState,
    /// Timer ticks since boot.
    pub ticks: u64,
}

impl<'a, A: Arch> SyscallCx<'a, A> {
    /// The call of process `pid`, whose trap saved `frame`.
    pub fn new(
        pid: Pid,
        frame: &'a A::TrapFrame,
        arch: &'a mut A::ProcessState,
        ticks: u64,
    ) -> Self {
        SyscallCx {
            pid,
            frame,
            arch,
            ticks,
        }
    }

    /// The system call number.
    #[inline(always)]
    pub fn nr(&self) -> usize {
        self.frame.syscall_number()
    }

    /// Argument `n` (0 to 5), read from the saved register. A constant `n`
    /// is one load; `n` above 5 panics (the ABI has six).
    #[inline(always)]
    pub fn arg(&self, n: usize) -> usize {
        self.frame.syscall_args()[n]
    }

    /// All six arguments.
    #[inline(always)]
    pub fn args(&self) -> [usize; 6] {
        self.frame.syscall_args()
    }
}

/// Wakes blocked processes; handed to interrupt handlers.
pub trait Wake {
    /// Make every process blocked on `channel` runnable; returns how many.
    fn wake(&self, channel: WaitChannel) -> usize;
}

/// The operating system built on ldex.
///
/// # Example
///
/// An OS with three system calls, for any arch. The kernel calls
/// [`Os::syscall`] on a trap from user mode; here it is called by hand, on
/// the simulated arch, to show what each answer means.
///
/// ```
/// use ldex_core::syscall::{SyscallCx, errno};
/// use ldex_core::{Arch, Os, Pid, SyscallAction};
/// use ldex_sim::arch::{SimArch, SimFrame};
///
/// struct MyOs;
///
/// impl<A: Arch> Os<A> for MyOs {
///     fn syscall(&self, cx: &mut SyscallCx<'_, A>) -> SyscallAction {
///         match cx.nr() {
///             24 => SyscallAction::Yield(0),                       // sched_yield
///             39 => SyscallAction::Return(cx.pid.get() as usize),  // getpid
///             60 => SyscallAction::Exit(cx.arg(0) as i32),         // exit
///             _ => SyscallAction::Return(errno::ret(errno::ENOSYS)),
///         }
///     }
/// }
///
/// let call = |nr, arg0| {
///     let frame = SimFrame { nr, a: [arg0, 0, 0, 0, 0, 0], ..SimFrame::default() };
///     let mut state = (); // the simulator's per-process arch state
///     let mut cx = SyscallCx::<SimArch>::new(Pid::new(3).unwrap(), &frame, &mut state, 0);
///     MyOs.syscall(&mut cx)
/// };
/// assert_eq!(call(39, 0), SyscallAction::Return(3));
/// assert_eq!(call(60, 42), SyscallAction::Exit(42));
/// assert_eq!(call(999, 0), SyscallAction::Return(-38isize as usize));
/// ```
pub trait Os<A: Arch>: Sync {
    /// Carry out system call `cx.nr()`. Unknown numbers return
    /// `SyscallAction::Return(errno::ret(errno::ENOSYS))`.
    fn syscall(&self, cx: &mut SyscallCx<'_, A>) -> SyscallAction;

    /// A device interrupt arrived.
    fn interrupt(&self, irq: u32, wake: &dyn Wake) {
        let _ = (irq, wake);
    }

    /// The timer interrupt came (once a tick, after the kernel charged
    /// it); interrupts are off and no lock is held. An OS that holds a
    /// storming device back for the rest of a tick (its [`Os::interrupt`]
    /// counts them) lets it go again here. On several CPUs each CPU's
    /// own timer tick calls it.
    fn tick(&self) {}

    /// A process is about to block on `channel` after
    /// [`SyscallAction::Sleep`]; interrupts are off on this CPU and the
    /// process table is locked, so no wake can slip in. Return `false` if
    /// what it waits for has already come (an interrupt between the OS's
    /// look and now): the call is then made again at once.
    fn still_waiting(&self, channel: WaitChannel) -> bool {
        let _ = channel;
        true
    }

    /// One step of the protocol happened. The default does nothing and
    /// compiles to nothing: tracing costs nothing unless an OS asks for it.
    #[inline(always)]
    fn trace(&self, event: &Event) {
        let _ = event;
    }

    /// Is tracing switched on? If not, the kernel calls [`Os::trace`] for
    /// no event, and never builds one: the trap's common path asks once per
    /// trap (one test), every rarer step asks before its events. The
    /// default says yes, which costs nothing when `trace` is the default
    /// that does nothing (tracing compiled out).
    #[inline(always)]
    fn tracing(&self) -> bool {
        true
    }

    /// Will the OS create more processes later (say, on a device interrupt)?
    /// While it says so, the scheduler loop idles instead of returning when
    /// the process table is empty.
    fn expects_processes(&self) -> bool {
        false
    }

    /// A process ended and has been reaped: free what the OS gave it, and
    /// report it (the example kernels print `[pid N NAME] exit CODE`).
    fn process_ended(&self, info: &ProcInfo, ending: &Ending) {
        let _ = (info, ending);
    }

    /// The address space of a process just reaped (after
    /// [`Os::process_ended`]), which the kernel will never enter again:
    /// give its memory back. No CPU has it loaded: the process left its
    /// last CPU through [`Arch::leave_process`], which goes back to the
    /// kernel's address space.
    fn free_address_space(&self, aspace: A::AddressSpace) {
        let _ = aspace;
    }
}

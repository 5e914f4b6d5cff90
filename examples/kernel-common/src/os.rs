//! The example kernels' system calls: a Linux ABI, written once.
//!
//! [`ExampleOs`] is the [`Os`] both example kernels hand to
//! `ldex_core::Kernel`. It decodes the call number with the arch's Linux
//! table ([`Platform::NUMBERS`]) and carries out the calls a static glibc or
//! musl program makes (docs/abi.md lists each with its semantics):
//!
//! | calls                                   | what they do                            |
//! |-----------------------------------------|-----------------------------------------|
//! | `write`, `writev`                        | fd 1 and 2 go to the console            |
//! | `read`, `readv`                          | fd 0: console input ([`input`]); blocks until a byte comes |
//! | `ioctl`, `fstat`, `newfstatat`           | fds 0-2 are a character device, no tty  |
//! | `brk`, `mmap`, `munmap`, `mprotect`      | [`memory`]: anonymous pages, `PROT_*` in the page tables |
//! | `exit`, `exit_group`                     | end the process with the code            |
//! | `getpid`, `gettid`, `set_tid_address`    | the pid (one thread per process)        |
//! | `kill`, `tkill`, `tgkill`                | [`signal`]: end the target with `signal N (NAME)` |
//! | `rt_sigaction`, `rt_sigprocmask`         | accepted; nothing is delivered          |
//! | `clock_gettime`, `getrandom`, `uname`, `prlimit64` | the platform's clock; see each |
//! | `sched_yield`                            | give up the CPU                          |
//! | `arch_prctl(ARCH_SET_FS)`                | x86_64's TLS base, through the platform |
//! | `set_robust_list`, `madvise`             | 0, nothing to do                         |
//! | `readlink`, `readlinkat`                 | -ENOENT: there are no files              |
//! | anything else (`rseq` too)               | -ENOSYS, and the process goes on         |
//!
//! Every pointer argument is a [`UserSlice`](ldex_core::user::UserSlice) checked against the caller's
//! memory ([`Platform::user_allows`]) before the kernel touches it: a kernel
//! pointer, a wrapping range or a huge length gets -EFAULT, never a kernel
//! fault. Bad fds get -EBADF, checked first as Linux does.
//!
//! The OS also prints how every process ended (`[pid N NAME] exit CODE`) and,
//! when tracing is on, every protocol [`Event`] as `[trace] COLUMN | TEXT`.

mod calls;
pub mod input;
pub mod memory;
mod platform;
mod signal;
mod trace;

use core::marker::PhantomData;
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use abi::Call;
use ldex_core::proc::{Ending, ProcInfo};
use ldex_core::sync::SpinLock;
use ldex_core::syscall::{SyscallCx, WaitChannel, Wake, errno};
use ldex_core::{Arch, Event, Os, SyscallAction};

pub use platform::{Claim, OutOfMemory, Platform, ProcessMemory, Prot};
pub use signal::Processes;

use input::Input;

use memory::Breaks;

use crate::console::print;

/// Device interrupts within one tick past which the OS holds the devices
/// back until the next tick ([`Platform::hold_devices`]): a storm. Low
/// enough that even a storm whose every interrupt is slow (the UART's
/// registers are emulated, or each interrupt is traced) is held early in
/// the tick. A 16550 at 115200 baud needs about 8 a tick with its FIFO
/// trigger at 14 bytes (x86_64's), but 115 at one byte: such input is
/// slowed, not lost, on QEMU, whose UART holds the rest back while its
/// FIFO is full (a real UART would overrun and drop).
pub const STORM_BUDGET: usize = 64;

/// The example kernels' [`Os`]: Linux system calls over a [`Platform`],
/// for a kernel of `N` process slots.
pub struct ExampleOs<A: Arch, P, const N: usize> {
    platform: P,
    tracing: AtomicBool,
    breaks: Breaks<N>,
    after_reap: SpinLock<Option<fn()>>,
    processes: SpinLock<Option<&'static dyn Processes>>,
    input: Input<A>,
    spurious: AtomicUsize,
    /// Device interrupts since the last tick.
    since_tick: AtomicUsize,
    /// Ticks at which the devices had been held back.
    storms: AtomicUsize,
    arch: PhantomData<fn() -> A>,
}

impl<A: Arch, P: Platform<A>, const N: usize> ExampleOs<A, P, N> {
    /// The OS over `platform`, with tracing off. Usable in a `static`.
    pub const fn new(platform: P) -> Self {
        ExampleOs {
            platform,
            tracing: AtomicBool::new(false),
            breaks: Breaks::new(),
            after_reap: SpinLock::new(None),
            processes: SpinLock::new(None),
            input: Input::new(),
            spurious: AtomicUsize::new(0),
            since_tick: AtomicUsize::new(0),
            storms: AtomicUsize::new(0),
            arch: PhantomData,
        }
    }

    /// Call `hook` each time a process has been reaped and its memory
    /// freed ([`Os::free_address_space`], so for processes spawned with an
    /// address space, as every example kernel's are): the kernel starts the
    /// initrd's next programs there, in the slot and frames just given back.
    pub fn set_after_reap(&self, hook: fn()) {
        *self.after_reap.lock() = Some(hook);
    }

    /// Let `kill(2)` reach the other processes: `processes` is the kernel
    /// that holds this OS. Until it is set, every other pid is missing.
    pub fn set_processes(&self, processes: &'static dyn Processes) {
        *self.processes.lock() = Some(processes);
    }

    /// The platform.
    pub fn platform(&self) -> &P {
        &self.platform
    }

    /// Turn the `[trace]` timeline on or off (the `trace` command-line word).
    pub fn set_tracing(&self, on: bool) {
        self.tracing.store(on, Ordering::Relaxed);
    }

    /// The console's input buffer.
    pub fn input(&self) -> &Input<A> {
        &self.input
    }

    /// Device interrupts no device claimed, counted and ignored.
    pub fn spurious(&self) -> usize {
        self.spurious.load(Ordering::Relaxed)
    }

    /// How many times a storm made the OS hold the devices back for the
    /// rest of a tick.
    pub fn storms(&self) -> usize {
        self.storms.load(Ordering::Relaxed)
    }

    /// Is tracing on?
    pub fn tracing(&self) -> bool {
        self.tracing.load(Ordering::Relaxed)
    }
}

impl<A: Arch, P: Platform<A>, const N: usize> Os<A> for ExampleOs<A, P, N> {
    fn syscall(&self, cx: &mut SyscallCx<'_, A>) -> SyscallAction {
        // Each argument is read from the frame where a call uses it, so a
        // call that takes none (getpid) loads none.
        let arg = |n| cx.arg(n);
        let (p, pid) = (&self.platform, cx.pid);
        let me = pid.get() as usize;
        let layout = P::NUMBERS.layout;
        let Some(call) = P::NUMBERS.decode(cx.nr()) else {
            return SyscallAction::Return(errno::ret(errno::ENOSYS));
        };
        SyscallAction::Return(match call {
            Call::Write => calls::write(p, pid, arg(0), arg(1), arg(2)),
            Call::Writev => calls::writev(p, pid, arg(0), arg(1), arg(2)),
            Call::Read => return calls::read(p, &self.input, pid, arg(0), arg(1), arg(2)),
            Call::Readv => return calls::readv(p, &self.input, pid, arg(0), arg(1), arg(2)),
            Call::Ioctl => calls::ioctl(arg(0)),
            Call::Fstat => calls::fstat(p, pid, arg(0), arg(1)),
            Call::Newfstatat => calls::newfstatat(p, pid, arg(0), arg(1), arg(2), arg(3)),
            Call::Readlink => calls::readlink(p, pid, arg(0)),
            Call::Readlinkat => calls::readlink(p, pid, arg(1)),
            Call::Brk => memory::brk(p, &self.breaks, pid, arg(0)),
            Call::Mmap => memory::mmap(p, arg(0), arg(1), arg(2), arg(3)),
            Call::Munmap => memory::munmap(p, arg(0), arg(1)),
            Call::Mprotect => memory::mprotect(p, arg(0), arg(1), arg(2)),
            Call::Madvise | Call::SetRobustList => 0,
            Call::Exit | Call::ExitGroup => return SyscallAction::Exit(arg(0) as i32),
            Call::Getpid | Call::Gettid | Call::SetTidAddress => me,
            Call::Rseq => errno::ret(errno::ENOSYS),
            Call::Prlimit64 => calls::prlimit64(p, pid, arg(3)),
            Call::Uname => calls::uname(p, pid, arg(0)),
            Call::SchedYield => return SyscallAction::Yield(0),
            Call::ClockGettime => calls::clock_gettime(p, pid, arg(0), arg(1)),
            Call::Getrandom => calls::getrandom(p, pid, arg(0), arg(1)),
            Call::RtSigaction => {
                calls::signal_state(p, pid, arg(2), layout.sigaction_head + arg(3))
            }
            Call::RtSigprocmask => calls::signal_state(p, pid, arg(2), arg(3)),
            Call::Kill | Call::Tkill | Call::Tgkill => {
                let (a0, a1, a2) = (arg(0), arg(1), arg(2));
                let target = match call {
                    // kill's 0 is the caller's process group: itself.
                    Call::Kill if a0 == 0 => Some(me),
                    Call::Tgkill if a0 != a1 => None,
                    Call::Tgkill => Some(a1),
                    _ => Some(a0),
                };
                let sig = if call == Call::Tgkill { a2 } else { a1 };
                let others = *self.processes.lock();
                return signal::signal(pid, target, sig, others);
            }
            Call::ArchPrctl => {
                let (code, addr) = (arg(0), arg(1));
                calls::arch_prctl(p, cx.arch, code, addr)
            }
        })
    }

    /// The kernel asks once per trap: with tracing off, the trap's common
    /// path pays one load and one branch.
    #[inline(always)]
    fn tracing(&self) -> bool {
        self.tracing.load(Ordering::Relaxed)
    }

    /// The console's receive interrupt: buffer what the UART received and
    /// wake the readers of fd 0; an interrupt no device claims is counted.
    /// The [`STORM_BUDGET`]th device interrupt of a tick holds the devices
    /// back until the next.
    fn interrupt(&self, irq: u32, wake: &dyn Wake) {
        let mut got = false;
        let claim = self.platform.device_interrupt(irq, &mut |byte| {
            got |= self.input.push(byte);
        });
        match claim {
            Claim::Console(_) if got => {
                wake.wake(input::STDIN);
            }
            Claim::Console(_) => {}
            Claim::Spurious => {
                self.spurious.fetch_add(1, Ordering::Relaxed);
            }
        }
        if self.since_tick.fetch_add(1, Ordering::Relaxed) + 1 == STORM_BUDGET {
            self.platform.hold_devices(true);
        }
    }

    /// A new tick: devices held back by a storm may interrupt again.
    fn tick(&self) {
        if self.since_tick.swap(0, Ordering::Relaxed) >= STORM_BUDGET {
            self.storms.fetch_add(1, Ordering::Relaxed);
            self.platform.hold_devices(false);
        }
    }

    fn still_waiting(&self, channel: WaitChannel) -> bool {
        channel != input::STDIN || self.input.is_empty()
    }

    /// Inlined, so that with tracing off an event is never built: the
    /// kernel's rarer events pay one load and one branch each.
    #[inline(always)]
    fn trace(&self, event: &Event) {
        if self.tracing() {
            trace::print_event(&self.platform, event);
        }
    }

    fn process_ended(&self, info: &ProcInfo, ending: &Ending) {
        let (pid, name) = (info.pid, info.name);
        self.breaks.reset(pid);
        print(
            &self.platform,
            format_args!("[pid {pid} {name}] {ending}\n"),
        );
    }

    fn free_address_space(&self, aspace: A::AddressSpace) {
        // SAFETY: the kernel hands over a reaped process's space, which it
        // never enters again (`Os::free_address_space`).
        unsafe { self.platform.free_space(aspace) };
        let hook = *self.after_reap.lock();
        if let Some(hook) = hook {
            hook();
        }
    }
}

#[cfg(test)]
mod tests;

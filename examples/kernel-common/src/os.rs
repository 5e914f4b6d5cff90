//! The example kernels' system calls: a small Linux ABI, written once.
//!
//! [`ExampleOs`] is the [`Os`] both example kernels hand to
//! `ldex_core::Kernel`. It decodes the call number with the arch's Linux
//! table ([`Platform::NUMBERS`]) and carries out:
//!
//! | call            | result                                                 |
//! |-----------------|--------------------------------------------------------|
//! | `write(fd,b,n)` | n, after writing to the console; fd 1 and 2 only       |
//! | `exit(c)`       | ends the process with code c (`exit_group` too)        |
//! | `getpid()`      | the pid                                                |
//! | `sched_yield()` | 0, after giving up the CPU                             |
//! | `clock_gettime` | 0, with `CLOCK_MONOTONIC` written to a user timespec   |
//! | `arch_prctl`    | x86_64 `ARCH_SET_FS`, through the platform             |
//! | anything else   | -ENOSYS                                                |
//!
//! Every pointer argument is a [`UserSlice`](ldex_core::user::UserSlice) checked against the caller's
//! memory ([`Platform::user_allows`]) before the kernel touches it: a kernel
//! pointer, a wrapping range or a huge length gets -EFAULT, never a kernel
//! fault. Bad fds get -EBADF, checked first as Linux does.
//!
//! The OS also prints how every process ended (`[pid N NAME] exit CODE`) and,
//! when tracing is on, every protocol [`Event`] as `[trace] COLUMN | TEXT`.

mod calls;
mod platform;
mod trace;

use core::marker::PhantomData;
use core::sync::atomic::{AtomicBool, Ordering};

use abi::Call;
use ldex_core::proc::{Ending, ProcInfo};
use ldex_core::syscall::{SyscallCx, errno};
use ldex_core::{Arch, Event, Os, SyscallAction};

pub use platform::{Platform, ProcessMemory};

use crate::console::print;

/// The example kernels' [`Os`]: Linux system calls over a [`Platform`].
pub struct ExampleOs<A, P> {
    platform: P,
    tracing: AtomicBool,
    arch: PhantomData<fn() -> A>,
}

impl<A: Arch, P: Platform<A>> ExampleOs<A, P> {
    /// The OS over `platform`, with tracing off. Usable in a `static`.
    pub const fn new(platform: P) -> Self {
        ExampleOs {
            platform,
            tracing: AtomicBool::new(false),
            arch: PhantomData,
        }
    }

    /// The platform.
    pub fn platform(&self) -> &P {
        &self.platform
    }

    /// Turn the `[trace]` timeline on or off (the `trace` command-line word).
    pub fn set_tracing(&self, on: bool) {
        self.tracing.store(on, Ordering::Relaxed);
    }

    /// Is tracing on?
    pub fn tracing(&self) -> bool {
        self.tracing.load(Ordering::Relaxed)
    }
}

impl<A: Arch, P: Platform<A>> Os<A> for ExampleOs<A, P> {
    fn syscall(&self, cx: &mut SyscallCx<'_, A>) -> SyscallAction {
        let [a0, a1, a2, ..] = cx.args;
        let p = &self.platform;
        match P::NUMBERS.decode(cx.nr) {
            Some(Call::Write) => SyscallAction::Return(calls::write(p, cx.pid, a0, a1, a2)),
            Some(Call::Exit | Call::ExitGroup) => SyscallAction::Exit(a0 as i32),
            Some(Call::Getpid) => SyscallAction::Return(cx.pid.get() as usize),
            Some(Call::SchedYield) => SyscallAction::Yield(0),
            Some(Call::ClockGettime) => {
                SyscallAction::Return(calls::clock_gettime(p, cx.pid, a0, a1))
            }
            Some(Call::ArchPrctl) => SyscallAction::Return(calls::arch_prctl(p, cx.arch, a0, a1)),
            None => SyscallAction::Return(errno::ret(errno::ENOSYS)),
        }
    }

    /// Inlined, so that with tracing off an event is never built: the
    /// kernel pays one load and one branch per event.
    #[inline(always)]
    fn trace(&self, event: &Event) {
        if self.tracing() {
            trace::print_event(&self.platform, event);
        }
    }

    fn process_ended(&self, info: &ProcInfo, ending: &Ending) {
        let (pid, name) = (info.pid, info.name);
        print(
            &self.platform,
            format_args!("[pid {pid} {name}] {ending}\n"),
        );
    }
}

#[cfg(test)]
mod tests;

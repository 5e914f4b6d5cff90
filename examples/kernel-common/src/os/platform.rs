//! What a kernel supplies to [`ExampleOs`](super::ExampleOs).

use core::marker::PhantomData;

use abi::Numbers;
use ldex_core::user::UserMemory;
use ldex_core::{AccessKind, Arch, Pid};

use crate::console::Console;
use crate::stack::WordSize;

/// The arch- and board-specific half of the example kernels' system calls.
///
/// # Safety
/// While a system call of process `pid` runs, every range
/// [`user_allows`](Platform::user_allows) approves for `pid` can be read (and,
/// when approved for [`AccessKind::Write`], written) by the kernel through
/// the current address space inside [`with_user_access`](Platform::with_user_access).
/// The kernel runs system calls with the caller's address space loaded, so a
/// page-table walk of that address space (user pages only, never the kernel
/// half) is a correct `user_allows`.
pub unsafe trait Platform<A: Arch>: Console {
    /// The arch's Linux system call numbers.
    const NUMBERS: Numbers;
    /// The user word size (timespec fields are words: rv32 uses the 32-bit
    /// layout of call 113).
    const WORD: WordSize = WordSize::NATIVE;

    /// Nanoseconds since boot, monotonic.
    fn now_ns(&self) -> u64;

    /// Does process `pid` own `[addr, addr + len)` with `access` rights, as a
    /// user-mode access would see it? `len >= 1` and the range does not wrap.
    fn user_allows(&self, pid: Pid, addr: usize, len: usize, access: AccessKind) -> bool;

    /// Run `f`, which reads or writes checked user memory: RISC-V sets
    /// `sstatus.SUM` around it, x86_64 with SMAP brackets it with
    /// `stac`/`clac`. The default just runs it.
    fn with_user_access<R>(&self, f: impl FnOnce() -> R) -> R {
        f()
    }

    /// `arch_prctl(ARCH_SET_FS, base)`: make `base` the FS base of the
    /// process whose arch state is `state`; `Err(errno)` to refuse (EPERM
    /// for a non-canonical or kernel address). Only x86_64 has it.
    fn set_fs_base(&self, state: &mut A::ProcessState, base: usize) -> Result<(), isize> {
        let _ = (state, base);
        Err(abi::errno::EINVAL)
    }
}

/// The memory of one process, as [`UserSlice::check`](ldex_core::user::UserSlice::check)
/// wants it: [`Platform::user_allows`] for one pid.
pub struct ProcessMemory<'a, A, P> {
    platform: &'a P,
    pid: Pid,
    arch: PhantomData<fn() -> A>,
}

impl<'a, A: Arch, P: Platform<A>> ProcessMemory<'a, A, P> {
    /// The memory `platform` says process `pid` owns.
    pub fn new(platform: &'a P, pid: Pid) -> Self {
        ProcessMemory {
            platform,
            pid,
            arch: PhantomData,
        }
    }
}

impl<A: Arch, P: Platform<A>> UserMemory for ProcessMemory<'_, A, P> {
    fn allows(&self, addr: usize, len: usize, access: AccessKind) -> bool {
        self.platform.user_allows(self.pid, addr, len, access)
    }
}

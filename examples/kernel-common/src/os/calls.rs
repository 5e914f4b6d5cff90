//! The system calls that touch user memory or the platform.

use abi::{arch_prctl as prctl, clock, fd};
use ldex_core::syscall::errno;
use ldex_core::user::UserSlice;
use ldex_core::{AccessKind, Arch, Pid};

use super::{Platform, ProcessMemory};

/// `write(fd, buf, len)`: the console is fd 1 and fd 2.
pub fn write<A: Arch, P: Platform<A>>(p: &P, pid: Pid, fd: usize, buf: usize, len: usize) -> usize {
    if fd != fd::STDOUT && fd != fd::STDERR {
        return errno::ret(errno::EBADF);
    }
    let memory = ProcessMemory::<A, P>::new(p, pid);
    match UserSlice::new(buf, len).check(&memory, AccessKind::Read) {
        Ok(slice) => {
            // SAFETY: checked for this process, which is current (Platform's contract).
            p.with_user_access(|| p.write_bytes(unsafe { slice.as_bytes() }));
            len
        }
        Err(fault) => fault.errno(),
    }
}

/// `clock_gettime(CLOCK_MONOTONIC, ts)`: `ts` is two user words, seconds
/// then nanoseconds.
pub fn clock_gettime<A: Arch, P: Platform<A>>(p: &P, pid: Pid, clock: usize, ts: usize) -> usize {
    if clock != clock::CLOCK_MONOTONIC {
        return errno::ret(errno::EINVAL);
    }
    let w = P::WORD.bytes() as usize;
    let memory = ProcessMemory::<A, P>::new(p, pid);
    let slice = match UserSlice::new(ts, 2 * w).check(&memory, AccessKind::Write) {
        Ok(s) => s,
        Err(fault) => return fault.errno(),
    };
    let now = p.now_ns();
    let mut bytes = [0u8; 16];
    bytes[..w].copy_from_slice(&(now / 1_000_000_000).to_le_bytes()[..w]);
    bytes[w..2 * w].copy_from_slice(&(now % 1_000_000_000).to_le_bytes()[..w]);
    p.with_user_access(|| {
        // SAFETY: checked writable for this process, which is current
        // (Platform's contract); user memory may be unaligned, so bytes.
        unsafe { core::ptr::copy_nonoverlapping(bytes.as_ptr(), slice.addr() as *mut u8, 2 * w) }
    });
    0
}

/// `arch_prctl(code, addr)`: only `ARCH_SET_FS`.
pub fn arch_prctl<A: Arch, P: Platform<A>>(
    p: &P,
    state: &mut A::ProcessState,
    code: usize,
    addr: usize,
) -> usize {
    if code != prctl::ARCH_SET_FS {
        return errno::ret(errno::EINVAL);
    }
    match p.set_fs_base(state, addr) {
        Ok(()) => 0,
        Err(e) => errno::ret(e),
    }
}

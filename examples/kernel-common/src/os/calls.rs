//! The system calls that touch user memory or the platform.

use core::sync::atomic::{AtomicUsize, Ordering};

use abi::errno::{EBADF, EINVAL, ENOENT, ENOTTY};
use abi::{arch_prctl as prctl, clock, fd};
use ldex_core::syscall::errno;
use ldex_core::user::UserSlice;
use ldex_core::{AccessKind, Arch, Pid, SyscallAction};

use super::input::{self, Input};
use super::{Platform, ProcessMemory};

/// Copy `bytes` to user address `addr` of process `pid`, checked first:
/// `Err(-EFAULT)` unless the whole range is the caller's writable memory.
fn copy_out<A: Arch, P: Platform<A>>(
    p: &P,
    pid: Pid,
    addr: usize,
    bytes: &[u8],
) -> Result<(), usize> {
    if bytes.is_empty() {
        return Ok(());
    }
    let memory = ProcessMemory::<A, P>::new(p, pid);
    let slice = UserSlice::new(addr, bytes.len())
        .check(&memory, AccessKind::Write)
        .map_err(|fault| fault.errno())?;
    p.with_user_access(|| {
        // SAFETY: checked writable for this process, which is current
        // (Platform's contract); user memory may be unaligned, so bytes.
        unsafe {
            core::ptr::copy_nonoverlapping(bytes.as_ptr(), slice.addr() as *mut u8, bytes.len())
        }
    });
    Ok(())
}

/// Read `N` bytes at user address `addr` of process `pid`, checked first.
fn copy_in<A: Arch, P: Platform<A>, const N: usize>(
    p: &P,
    pid: Pid,
    addr: usize,
    len: usize,
) -> Result<[u8; N], usize> {
    let mut out = [0u8; N];
    let memory = ProcessMemory::<A, P>::new(p, pid);
    let slice = UserSlice::new(addr, len)
        .check(&memory, AccessKind::Read)
        .map_err(|fault| fault.errno())?;
    // SAFETY: checked readable for this process, which is current.
    p.with_user_access(|| out[..len].copy_from_slice(unsafe { slice.as_bytes() }));
    Ok(out)
}

fn result(r: Result<usize, usize>) -> usize {
    r.unwrap_or_else(|e| e)
}

/// Is `fd` one of the console's three descriptors?
fn console_fd(fd: usize) -> bool {
    fd <= fd::STDERR
}

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

/// `writev(fd, iov, iovcnt)`: each `{base, len}` in turn, as `write`. A
/// bad buffer after some bytes went out ends the call with their count.
pub fn writev<A: Arch, P: Platform<A>>(p: &P, pid: Pid, fd: usize, iov: usize, n: usize) -> usize {
    if fd != fd::STDOUT && fd != fd::STDERR {
        return errno::ret(EBADF);
    }
    if n > 1024 {
        return errno::ret(EINVAL);
    }
    let mut done = 0usize;
    for i in 0..n {
        let (base, len) = match iov_entry(p, pid, iov, i) {
            Ok(entry) => entry,
            Err(e) if done == 0 => return e,
            Err(_) => break,
        };
        if len == 0 {
            continue;
        }
        match write(p, pid, fd, base, len) {
            r if (r as isize) < 0 && done == 0 => return r,
            r if (r as isize) < 0 => break,
            r => done += r,
        }
    }
    done
}

/// Entry `i` of the user iovec array at `iov`: `{base, len}`, two words.
fn iov_entry<A: Arch, P: Platform<A>>(
    p: &P,
    pid: Pid,
    iov: usize,
    i: usize,
) -> Result<(usize, usize), usize> {
    let w = P::WORD.bytes() as usize;
    let entry = copy_in::<A, P, 16>(p, pid, iov.wrapping_add(i * 2 * w), 2 * w)?;
    let word = |at: usize| {
        let mut b = [0u8; 8];
        b[..w].copy_from_slice(&entry[at..at + w]);
        u64::from_le_bytes(b) as usize
    };
    Ok((word(0), word(w)))
}

/// `read(fd, buf, len)`: fd 0 is the console's [`Input`]. What is buffered
/// comes back at once (up to `len`, and never past an end of file); with
/// nothing buffered the caller sleeps on [`input::STDIN`] until the
/// receive interrupt wakes it, and the call is made again. The buffer is
/// checked before anything is taken or slept on, so a bad one gets
/// -EFAULT and loses no input. A board without console input
/// ([`Platform::CONSOLE_INPUT`]) is always at end of file.
pub fn read<A: Arch, P: Platform<A>>(
    p: &P,
    input: &Input<A>,
    pid: Pid,
    fd: usize,
    buf: usize,
    len: usize,
) -> SyscallAction {
    if fd != fd::STDIN {
        return SyscallAction::Return(errno::ret(EBADF));
    }
    if len == 0 {
        return SyscallAction::Return(0);
    }
    let memory = ProcessMemory::<A, P>::new(p, pid);
    if let Err(fault) = UserSlice::new(buf, len).check(&memory, AccessKind::Write) {
        return SyscallAction::Return(fault.errno());
    }
    if !P::CONSOLE_INPUT {
        return SyscallAction::Return(0);
    }
    let mut bytes = [0u8; input::CAPACITY];
    let want = len.min(bytes.len());
    match input.take(&mut bytes[..want]) {
        None => SyscallAction::Sleep {
            channel: input::STDIN,
        },
        Some(n) => SyscallAction::Return(result(copy_out(p, pid, buf, &bytes[..n]).map(|()| n))),
    }
}

/// `readv(fd, iov, iovcnt)`: `read` into the first non-empty buffer (a
/// terminal's read ends with what has come, so one buffer is all it fills).
pub fn readv<A: Arch, P: Platform<A>>(
    p: &P,
    input: &Input<A>,
    pid: Pid,
    fd: usize,
    iov: usize,
    n: usize,
) -> SyscallAction {
    if fd != fd::STDIN {
        return SyscallAction::Return(errno::ret(EBADF));
    }
    if n > 1024 {
        return SyscallAction::Return(errno::ret(EINVAL));
    }
    for i in 0..n {
        match iov_entry(p, pid, iov, i) {
            Err(e) => return SyscallAction::Return(e),
            Ok((_, 0)) => continue,
            Ok((base, len)) => return read(p, input, pid, fd, base, len),
        }
    }
    SyscallAction::Return(0)
}

/// `ioctl(fd, request, arg)`: the console is a serial line with no termios,
/// so `TCGETS` (what `isatty` asks) and every other request is `-ENOTTY`.
pub fn ioctl(fd: usize) -> usize {
    errno::ret(if console_fd(fd) { ENOTTY } else { EBADF })
}

/// `fstat(fd, buf)`: fds 0-2 are a character device (mode `S_IFCHR | 0620`),
/// one link, 1 KiB blocks; every other field is 0.
pub fn fstat<A: Arch, P: Platform<A>>(p: &P, pid: Pid, fd: usize, buf: usize) -> usize {
    if !console_fd(fd) {
        return errno::ret(EBADF);
    }
    let l = P::NUMBERS.layout;
    let mut stat = [0u8; 144];
    let mut put = |at: usize, width: usize, v: u64| {
        stat[at..at + width].copy_from_slice(&v.to_le_bytes()[..width]);
    };
    put(l.stat_mode, 4, 0o020_620);
    put(l.stat_nlink.0, l.stat_nlink.1, 1);
    put(l.stat_blksize.0, l.stat_blksize.1, 1024);
    result(copy_out(p, pid, buf, &stat[..l.stat_size]).map(|()| 0))
}

/// `newfstatat(dirfd, path, buf, flags)`: with `AT_EMPTY_PATH` and an empty
/// path it is `fstat(dirfd)`; any path names a file, and there are none.
pub fn newfstatat<A: Arch, P: Platform<A>>(
    p: &P,
    pid: Pid,
    dirfd: usize,
    path: usize,
    buf: usize,
    flags: usize,
) -> usize {
    const AT_EMPTY_PATH: usize = 0x1000;
    match copy_in::<A, P, 1>(p, pid, path, 1) {
        Err(e) => e,
        Ok([0]) if flags & AT_EMPTY_PATH != 0 => fstat(p, pid, dirfd, buf),
        Ok(_) => errno::ret(ENOENT),
    }
}

/// `readlink(path, ..)` and `readlinkat`: there are no files, so no links
/// (glibc asks for `/proc/self/exe`, and copes).
pub fn readlink<A: Arch, P: Platform<A>>(p: &P, pid: Pid, path: usize) -> usize {
    match copy_in::<A, P, 1>(p, pid, path, 1) {
        Err(e) => e,
        Ok(_) => errno::ret(ENOENT),
    }
}

/// `uname(buf)`: six 65-byte fields. The kernel answers as Linux (the ABI
/// it follows), release `6.1.0-ldex`, and the platform's machine name.
pub fn uname<A: Arch, P: Platform<A>>(p: &P, pid: Pid, buf: usize) -> usize {
    const FIELD: usize = 65;
    let mut uts = [0u8; 6 * FIELD];
    let fields = [
        "Linux",
        "ldex",
        "6.1.0-ldex",
        "#1 ldex example kernel",
        P::MACHINE,
        "(none)",
    ];
    for (i, f) in fields.iter().enumerate() {
        uts[i * FIELD..i * FIELD + f.len()].copy_from_slice(f.as_bytes());
    }
    result(copy_out(p, pid, buf, &uts).map(|()| 0))
}

/// `prlimit64(pid, resource, new, old)`: no limit is enforced, so every
/// old limit reads `RLIM_INFINITY` and a new one is accepted and ignored.
pub fn prlimit64<A: Arch, P: Platform<A>>(p: &P, pid: Pid, old: usize) -> usize {
    if old == 0 {
        return 0;
    }
    let mut limits = [0xffu8; 16];
    limits[..8].copy_from_slice(&u64::MAX.to_le_bytes());
    result(copy_out(p, pid, old, &limits).map(|()| 0))
}

/// `getrandom(buf, len, flags)`: `len` bytes from [`random_word`] of the
/// clock and a count of draws, at most 256 per call (Linux may return fewer
/// bytes than asked, too).
pub fn getrandom<A: Arch, P: Platform<A>>(p: &P, pid: Pid, buf: usize, len: usize) -> usize {
    static DRAWS: AtomicUsize = AtomicUsize::new(0);
    let len = len.min(256);
    let mut bytes = [0u8; 256];
    for chunk in bytes[..len].chunks_mut(8) {
        let draw = DRAWS.fetch_add(1, Ordering::Relaxed) as u64;
        let word = random_word(p.now_ns() ^ draw.wrapping_mul(0xa076_1d64_78bd_642f));
        chunk.copy_from_slice(&word.to_le_bytes()[..chunk.len()]);
    }
    result(copy_out(p, pid, buf, &bytes[..len]).map(|()| len))
}

/// One 64-bit word from `counter`: splitmix64's finaliser over the
/// platform's nanosecond clock (the TSC on x86_64, `time` on RISC-V). Not
/// cryptographic: a clock is all the entropy an example kernel has.
fn random_word(counter: u64) -> u64 {
    let mut z = counter.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// `rt_sigprocmask(how, set, oldset, size)` and `rt_sigaction(sig, act,
/// oldact, size)`: accepted, nothing is ever delivered; the old mask or
/// action (`old`, `old_len` bytes) reads as empty.
pub fn signal_state<A: Arch, P: Platform<A>>(p: &P, pid: Pid, old: usize, old_len: usize) -> usize {
    if old == 0 {
        return 0;
    }
    let zeros = [0u8; 64];
    match zeros.get(..old_len) {
        Some(bytes) => result(copy_out(p, pid, old, bytes).map(|()| 0)),
        None => errno::ret(EINVAL),
    }
}

/// `clock_gettime(clock, ts)`: `ts` is two user words, seconds then
/// nanoseconds. Every clock reads time since boot: the monotonic ones,
/// and `CLOCK_REALTIME`, as there is no real-time clock (the epoch is the
/// boot); the CPU-time clocks are refused.
pub fn clock_gettime<A: Arch, P: Platform<A>>(p: &P, pid: Pid, clock: usize, ts: usize) -> usize {
    const COARSE_AND_BOOT: [usize; 4] = [4, 5, 6, 7];
    if clock != clock::CLOCK_MONOTONIC
        && clock != clock::CLOCK_REALTIME
        && !COARSE_AND_BOOT.contains(&clock)
    {
        return errno::ret(errno::EINVAL);
    }
    let w = P::WORD.bytes() as usize;
    let now = p.now_ns();
    let mut bytes = [0u8; 16];
    bytes[..w].copy_from_slice(&(now / 1_000_000_000).to_le_bytes()[..w]);
    bytes[w..2 * w].copy_from_slice(&(now % 1_000_000_000).to_le_bytes()[..w]);
    result(copy_out(p, pid, ts, &bytes[..2 * w]).map(|()| 0))
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

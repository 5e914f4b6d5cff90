//! The system call ABI of the ldex example kernels, as both sides see it.
//!
//! The example kernels follow Linux for the calls they implement, so a
//! static program built by a stock toolchain (`gcc -static` with glibc,
//! `musl-gcc -static`, or `-nostdlib`) runs unchanged. This crate holds the
//! numbers once, in one table ([`Call`]): the kernel decodes with
//! [`Numbers`], the user runtime encodes with the same table.
#![no_std]
#![forbid(unsafe_code)]

/// One table of every call the example kernels know: its name, then its
/// number on RISC-V (the generic table of `asm-generic/unistd.h`, rv64 and
/// rv32, which arm64 uses too) and on x86_64 (`arch/x86/entry/syscalls/syscall_64.tbl`, used by
/// both `syscall` and the example kernel's `int 0x80`). `None`: the arch
/// has no such call.
macro_rules! calls {
    ($($(#[$doc:meta])* $call:ident: $riscv:expr, $x86_64:expr;)*) => {
        /// The calls the example kernels know.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Call {
            $($(#[$doc])* $call,)*
        }

        impl Call {
            /// Every call, in table order.
            pub const ALL: &[Call] = &[$(Call::$call),*];
        }

        const RISCV_NUMBERS: &[Option<usize>] = &[$($riscv),*];
        const X86_64_NUMBERS: &[Option<usize>] = &[$($x86_64),*];
    };
}

calls! {
    /// `read(fd, buf, len)`.
    Read: Some(63), Some(0);
    /// `write(fd, buf, len)`.
    Write: Some(64), Some(1);
    /// `readv(fd, iov, iovcnt)`.
    Readv: Some(65), Some(19);
    /// `writev(fd, iov, iovcnt)`.
    Writev: Some(66), Some(20);
    /// `fstat(fd, statbuf)`.
    Fstat: Some(80), Some(5);
    /// `newfstatat(dirfd, path, statbuf, flags)`.
    Newfstatat: Some(79), Some(262);
    /// `ioctl(fd, request, arg)`.
    Ioctl: Some(29), Some(16);
    /// `readlink(path, buf, len)`: x86_64 only.
    Readlink: None, Some(89);
    /// `readlinkat(dirfd, path, buf, len)`.
    Readlinkat: Some(78), Some(267);
    /// `brk(addr)`.
    Brk: Some(214), Some(12);
    /// `mmap(addr, len, prot, flags, fd, offset)`.
    Mmap: Some(222), Some(9);
    /// `munmap(addr, len)`.
    Munmap: Some(215), Some(11);
    /// `mprotect(addr, len, prot)`.
    Mprotect: Some(226), Some(10);
    /// `madvise(addr, len, advice)`.
    Madvise: Some(233), Some(28);
    /// `exit(code)`.
    Exit: Some(93), Some(60);
    /// `exit_group(code)`.
    ExitGroup: Some(94), Some(231);
    /// `getpid()`.
    Getpid: Some(172), Some(39);
    /// `gettid()`.
    Gettid: Some(178), Some(186);
    /// `set_tid_address(tidptr)`.
    SetTidAddress: Some(96), Some(218);
    /// `set_robust_list(head, len)`.
    SetRobustList: Some(99), Some(273);
    /// `rseq(rseq, len, flags, sig)`.
    Rseq: Some(293), Some(334);
    /// `prlimit64(pid, resource, new, old)`.
    Prlimit64: Some(261), Some(302);
    /// `uname(buf)`.
    Uname: Some(160), Some(63);
    /// `sched_yield()`.
    SchedYield: Some(124), Some(24);
    /// `clock_gettime(clock, *timespec)`.
    ClockGettime: Some(113), Some(228);
    /// `getrandom(buf, len, flags)`.
    Getrandom: Some(278), Some(318);
    /// `rt_sigaction(sig, act, oldact, sigsetsize)`.
    RtSigaction: Some(134), Some(13);
    /// `rt_sigprocmask(how, set, oldset, sigsetsize)`.
    RtSigprocmask: Some(135), Some(14);
    /// `kill(pid, sig)`.
    Kill: Some(129), Some(62);
    /// `tkill(tid, sig)`.
    Tkill: Some(130), Some(200);
    /// `tgkill(tgid, tid, sig)`.
    Tgkill: Some(131), Some(234);
    /// `arch_prctl(code, addr)`: x86_64 only.
    ArchPrctl: None, Some(158);
}

/// The largest call number either table uses, plus one.
const NR_LIMIT: usize = 512;

/// The system call numbers of one architecture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Numbers {
    /// Call `Call::ALL[i]` has number `by_call[i]`.
    by_call: &'static [Option<usize>],
    /// Number `n` is call `by_number[n]`: decoding is one index.
    by_number: &'static [Option<Call>; NR_LIMIT],
    /// How this arch lays out the structures the calls fill.
    pub layout: Layout,
}

/// Where the fields the example kernels fill sit in this arch's structures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    /// `sizeof(struct stat)`, as `fstat` writes it.
    pub stat_size: usize,
    /// Offset of the 32-bit `st_mode`.
    pub stat_mode: usize,
    /// Offset of `st_nlink` and its width in bytes.
    pub stat_nlink: (usize, usize),
    /// Offset of `st_blksize` and its width in bytes.
    pub stat_blksize: (usize, usize),
    /// `sizeof(struct sigaction)` as the kernel reads it, without the mask:
    /// handler and flags, and on x86_64 the restorer.
    pub sigaction_head: usize,
}

/// The inverse of one column of the table, built at compile time.
const fn invert(by_call: &[Option<usize>]) -> [Option<Call>; NR_LIMIT] {
    let mut out = [None; NR_LIMIT];
    let mut i = 0;
    while i < by_call.len() {
        if let Some(n) = by_call[i] {
            assert!(n < NR_LIMIT, "a call number above NR_LIMIT");
            assert!(out[n].is_none(), "two calls with one number");
            out[n] = Some(Call::ALL[i]);
        }
        i += 1;
    }
    out
}

static RISCV_BY_NUMBER: [Option<Call>; NR_LIMIT] = invert(RISCV_NUMBERS);
static X86_64_BY_NUMBER: [Option<Call>; NR_LIMIT] = invert(X86_64_NUMBERS);

impl Numbers {
    /// Linux RISC-V, rv64 and rv32.
    pub const RISCV: Numbers = Numbers {
        by_call: RISCV_NUMBERS,
        by_number: &RISCV_BY_NUMBER,
        // asm-generic/stat.h (rv64; rv32 programs use statx instead).
        layout: Layout {
            stat_size: 128,
            stat_mode: 16,
            stat_nlink: (20, 4),
            stat_blksize: (56, 4),
            sigaction_head: 2 * core::mem::size_of::<usize>(),
        },
    };

    /// Linux arm64: the generic numbers and `struct stat` of RISC-V, but a
    /// `struct sigaction` with a restorer (arch/arm64 defines `SA_RESTORER`).
    pub const AARCH64: Numbers = Numbers {
        by_call: RISCV_NUMBERS,
        by_number: &RISCV_BY_NUMBER,
        layout: Layout {
            sigaction_head: 24,
            ..Numbers::RISCV.layout
        },
    };

    /// Linux x86_64.
    pub const X86_64: Numbers = Numbers {
        by_call: X86_64_NUMBERS,
        by_number: &X86_64_BY_NUMBER,
        // arch/x86/include/uapi/asm/stat.h, the 64-bit struct stat.
        layout: Layout {
            stat_size: 144,
            stat_mode: 24,
            stat_nlink: (16, 8),
            stat_blksize: (56, 8),
            sigaction_head: 24,
        },
    };

    /// Which call number `nr` is, if this table has it.
    #[inline]
    pub fn decode(&self, nr: usize) -> Option<Call> {
        self.by_number.get(nr).copied().flatten()
    }

    /// The number of `call`, if this table has it.
    pub const fn number(&self, call: Call) -> Option<usize> {
        self.by_call[call as usize]
    }
}

/// Linux errno values the kernels return (negated, in the result register).
pub mod errno {
    /// Operation not permitted (`arch_prctl` with a kernel address).
    pub const EPERM: isize = 1;
    /// No such file or directory (`readlink`: there are no files).
    pub const ENOENT: isize = 2;
    /// No such process (`kill` of another process).
    pub const ESRCH: isize = 3;
    /// Bad file descriptor.
    pub const EBADF: isize = 9;
    /// Out of memory (`brk`, `mmap`, `mprotect` of unmapped pages).
    pub const ENOMEM: isize = 12;
    /// A mapping is already there (`MAP_FIXED_NOREPLACE`).
    pub const EEXIST: isize = 17;
    /// The device cannot be mapped (`mmap` of a descriptor).
    pub const ENODEV: isize = 19;
    /// Bad address.
    pub const EFAULT: isize = 14;
    /// Invalid argument.
    pub const EINVAL: isize = 22;
    /// Not a terminal (`ioctl(TCGETS)`: the console is a serial line
    /// without termios).
    pub const ENOTTY: isize = 25;
    /// Function not implemented.
    pub const ENOSYS: isize = 38;
}

/// `clock_gettime` clock ids.
pub mod clock {
    /// Wall-clock time: the example kernels have no real-time clock, so it
    /// counts from the Unix epoch at boot (it equals `CLOCK_MONOTONIC`).
    pub const CLOCK_REALTIME: usize = 0;
    /// The monotonic clock: time since boot.
    pub const CLOCK_MONOTONIC: usize = 1;
}

/// `arch_prctl` codes (x86_64).
pub mod arch_prctl {
    /// Set the FS base register.
    pub const ARCH_SET_FS: usize = 0x1002;
}

/// The console file descriptors `write` accepts.
pub mod fd {
    /// Standard input: the console's input, read as its receive interrupt
    /// buffers it.
    pub const STDIN: usize = 0;
    /// Standard output.
    pub const STDOUT: usize = 1;
    /// Standard error.
    pub const STDERR: usize = 2;
}

/// `mmap`, `mprotect` and `munmap` arguments.
pub mod mman {
    /// Readable.
    pub const PROT_READ: usize = 1;
    /// Writable.
    pub const PROT_WRITE: usize = 2;
    /// Executable.
    pub const PROT_EXEC: usize = 4;
    /// Changes are private to the process.
    pub const MAP_PRIVATE: usize = 0x02;
    /// The mapping is shared (refused: there is nothing to share with).
    pub const MAP_SHARED: usize = 0x01;
    /// Place the mapping exactly at `addr`, replacing what was there.
    pub const MAP_FIXED: usize = 0x10;
    /// Not backed by a file: zero-filled.
    pub const MAP_ANONYMOUS: usize = 0x20;
    /// Like `MAP_FIXED`, but fail with `EEXIST` instead of replacing.
    pub const MAP_FIXED_NOREPLACE: usize = 0x10_0000;
}

/// Signals, as `kill` and `tgkill` name them.
pub mod signal {
    /// Abort: what `abort()` raises against itself.
    pub const SIGABRT: usize = 6;
    /// The largest signal number (real-time signals included).
    pub const MAX: usize = 64;

    /// How a process killed by signal `sig` ends, as the example kernels
    /// print it; `None` for signals whose default action is not to
    /// terminate (SIGCHLD, SIGCONT, SIGURG, SIGWINCH, and the stop signals:
    /// there is no job control to continue a stopped process).
    pub const fn ending(sig: usize) -> Option<&'static str> {
        Some(match sig {
            1 => "signal 1 (SIGHUP)",
            2 => "signal 2 (SIGINT)",
            3 => "signal 3 (SIGQUIT)",
            4 => "signal 4 (SIGILL)",
            5 => "signal 5 (SIGTRAP)",
            6 => "signal 6 (SIGABRT)",
            7 => "signal 7 (SIGBUS)",
            8 => "signal 8 (SIGFPE)",
            9 => "signal 9 (SIGKILL)",
            10 => "signal 10 (SIGUSR1)",
            11 => "signal 11 (SIGSEGV)",
            12 => "signal 12 (SIGUSR2)",
            13 => "signal 13 (SIGPIPE)",
            14 => "signal 14 (SIGALRM)",
            15 => "signal 15 (SIGTERM)",
            16 => "signal 16 (SIGSTKFLT)",
            24 => "signal 24 (SIGXCPU)",
            25 => "signal 25 (SIGXFSZ)",
            26 => "signal 26 (SIGVTALRM)",
            27 => "signal 27 (SIGPROF)",
            29 => "signal 29 (SIGIO)",
            30 => "signal 30 (SIGPWR)",
            31 => "signal 31 (SIGSYS)",
            32..=MAX => "a real-time signal",
            _ => return None,
        })
    }
}

/// `ioctl` requests.
pub mod ioctl {
    /// Get the terminal attributes (what `isatty` asks).
    pub const TCGETS: usize = 0x5401;
}

/// Auxiliary vector keys (`elf.h`) the kernels put on the initial stack.
pub mod auxv {
    /// End of the vector.
    pub const AT_NULL: usize = 0;
    /// Address of the program headers in memory.
    pub const AT_PHDR: usize = 3;
    /// Size of one program header.
    pub const AT_PHENT: usize = 4;
    /// Number of program headers.
    pub const AT_PHNUM: usize = 5;
    /// The page size.
    pub const AT_PAGESZ: usize = 6;
    /// The CPU's hardware capabilities (RISC-V: one bit per ISA letter).
    pub const AT_HWCAP: usize = 16;
    /// The program's entry point.
    pub const AT_ENTRY: usize = 9;
    /// Address of 16 random bytes.
    pub const AT_RANDOM: usize = 25;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_call_round_trips_through_both_tables() {
        for table in [Numbers::RISCV, Numbers::X86_64] {
            for &call in Call::ALL {
                if let Some(nr) = table.number(call) {
                    assert_eq!(table.decode(nr), Some(call));
                }
            }
        }
        assert_eq!(Numbers::RISCV.number(Call::ArchPrctl), None);
        assert_eq!(Numbers::RISCV.number(Call::Readlink), None);
        assert_eq!(Numbers::X86_64.number(Call::Brk), Some(12));
        assert_eq!(Numbers::RISCV.number(Call::Mmap), Some(222));
    }

    #[test]
    fn unknown_numbers_decode_to_none() {
        assert_eq!(Numbers::RISCV.decode(158), None);
        assert_eq!(Numbers::X86_64.decode(64), None);
        assert_eq!(Numbers::X86_64.decode(usize::MAX), None);
    }
}

//! The system call ABI of the ldex example kernels, as both sides see it.
//!
//! The example kernels follow Linux for the few calls they implement, so a
//! static program built by a stock toolchain (`gcc -nostdlib -static`) runs
//! unchanged. This crate holds the numbers once: the kernel decodes with
//! [`Numbers`], the user runtime encodes with the same table.
#![no_std]
#![forbid(unsafe_code)]

/// The system call numbers of one architecture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Numbers {
    /// `write(fd, buf, len)`.
    pub write: usize,
    /// `exit(code)`.
    pub exit: usize,
    /// `exit_group(code)`.
    pub exit_group: usize,
    /// `getpid()`.
    pub getpid: usize,
    /// `sched_yield()`.
    pub sched_yield: usize,
    /// `clock_gettime(clock, *timespec)`.
    pub clock_gettime: usize,
    /// `arch_prctl(code, addr)`: x86_64 only.
    pub arch_prctl: Option<usize>,
}

/// The calls the example kernels implement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Call {
    /// `write`.
    Write,
    /// `exit`.
    Exit,
    /// `exit_group`.
    ExitGroup,
    /// `getpid`.
    Getpid,
    /// `sched_yield`.
    SchedYield,
    /// `clock_gettime`.
    ClockGettime,
    /// `arch_prctl`.
    ArchPrctl,
}

impl Numbers {
    /// Linux RISC-V (the generic table, `asm-generic/unistd.h`), rv64 and rv32.
    pub const RISCV: Numbers = Numbers {
        write: 64,
        exit: 93,
        exit_group: 94,
        getpid: 172,
        sched_yield: 124,
        clock_gettime: 113,
        arch_prctl: None,
    };

    /// Linux x86_64 (`arch/x86/entry/syscalls/syscall_64.tbl`), used by both
    /// `syscall` and the example kernel's `int 0x80`.
    pub const X86_64: Numbers = Numbers {
        write: 1,
        exit: 60,
        exit_group: 231,
        getpid: 39,
        sched_yield: 24,
        clock_gettime: 228,
        arch_prctl: Some(158),
    };

    /// Which call number `nr` is, if this table has it.
    pub fn decode(&self, nr: usize) -> Option<Call> {
        Some(match nr {
            n if n == self.write => Call::Write,
            n if n == self.exit => Call::Exit,
            n if n == self.exit_group => Call::ExitGroup,
            n if n == self.getpid => Call::Getpid,
            n if n == self.sched_yield => Call::SchedYield,
            n if n == self.clock_gettime => Call::ClockGettime,
            n if Some(n) == self.arch_prctl => Call::ArchPrctl,
            _ => return None,
        })
    }

    /// The number of `call`, if this table has it.
    pub fn number(&self, call: Call) -> Option<usize> {
        match call {
            Call::Write => Some(self.write),
            Call::Exit => Some(self.exit),
            Call::ExitGroup => Some(self.exit_group),
            Call::Getpid => Some(self.getpid),
            Call::SchedYield => Some(self.sched_yield),
            Call::ClockGettime => Some(self.clock_gettime),
            Call::ArchPrctl => self.arch_prctl,
        }
    }
}

/// Linux errno values the kernels return (negated, in the result register).
pub mod errno {
    /// Operation not permitted (`arch_prctl` with a kernel address).
    pub const EPERM: isize = 1;
    /// Bad file descriptor.
    pub const EBADF: isize = 9;
    /// Bad address.
    pub const EFAULT: isize = 14;
    /// Invalid argument.
    pub const EINVAL: isize = 22;
    /// Function not implemented.
    pub const ENOSYS: isize = 38;
}

/// `clock_gettime` clock ids.
pub mod clock {
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
    /// Standard output.
    pub const STDOUT: usize = 1;
    /// Standard error.
    pub const STDERR: usize = 2;
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
        let calls = [
            Call::Write,
            Call::Exit,
            Call::ExitGroup,
            Call::Getpid,
            Call::SchedYield,
            Call::ClockGettime,
            Call::ArchPrctl,
        ];
        for table in [Numbers::RISCV, Numbers::X86_64] {
            for call in calls {
                if let Some(nr) = table.number(call) {
                    assert_eq!(table.decode(nr), Some(call));
                }
            }
        }
        assert_eq!(Numbers::RISCV.number(Call::ArchPrctl), None);
    }

    #[test]
    fn unknown_numbers_decode_to_none() {
        assert_eq!(Numbers::RISCV.decode(158), None);
        assert_eq!(Numbers::X86_64.decode(64), None);
        assert_eq!(Numbers::X86_64.decode(usize::MAX), None);
    }
}

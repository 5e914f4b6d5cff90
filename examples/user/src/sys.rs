//! System calls, through each trap instruction of the arch.
//!
//! A [`Gate`] is one way into the kernel: RISC-V has `ecall`, AArch64
//! `svc #0`; x86_64 has
//! `syscall` and `int 0x80`, which the example kernel numbers and passes
//! arguments the same way (rax; rdi, rsi, rdx, r10, r8, r9; result in rax).
//! The typed calls are methods of [`Gate`]; the free functions use
//! [`Gate::NATIVE`].

#[cfg(any(target_arch = "riscv64", target_arch = "riscv32"))]
#[path = "sys/riscv.rs"]
mod arch;
#[cfg(target_arch = "x86_64")]
#[path = "sys/x86_64.rs"]
mod arch;
#[cfg(target_arch = "aarch64")]
#[path = "sys/aarch64.rs"]
mod arch;

pub use arch::Gate;

use abi::{Call, Numbers, arch_prctl, clock};

/// This arch's Linux system call numbers.
#[cfg(any(target_arch = "riscv64", target_arch = "riscv32"))]
pub const NUMBERS: Numbers = Numbers::RISCV;
/// This arch's Linux system call numbers.
#[cfg(target_arch = "x86_64")]
pub const NUMBERS: Numbers = Numbers::X86_64;
/// This arch's Linux system call numbers.
#[cfg(target_arch = "aarch64")]
pub const NUMBERS: Numbers = Numbers::AARCH64;

/// The number of `call` on this arch (`usize::MAX`, which no kernel knows,
/// if the arch lacks it).
pub fn nr(call: Call) -> usize {
    NUMBERS.number(call).unwrap_or(usize::MAX)
}

/// A system call's result: the value, or the errno the kernel returned.
pub type Result<T> = core::result::Result<T, isize>;

/// Split a raw result register into a value or `-errno` (Linux returns
/// -4095..-1 for errors).
pub fn check(raw: usize) -> Result<usize> {
    match raw as isize {
        e @ -4095..=-1 => Err(-e),
        _ => Ok(raw),
    }
}

/// A `timespec`: two user words.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct Timespec {
    /// Seconds.
    pub sec: isize,
    /// Nanoseconds, below one billion.
    pub nsec: isize,
}

impl Gate {
    /// Raw system call `nr` with six arguments; returns the result register.
    ///
    /// # Safety
    /// The kernel may write where the arguments point (for the calls that
    /// write memory), so they must be valid for that, as for any FFI call.
    pub unsafe fn call(self, nr: usize, args: [usize; 6]) -> usize {
        // SAFETY: forwarded contract.
        unsafe { self.raw(nr, args) }
    }

    /// `write(fd, buf, len)`.
    pub fn write(self, fd: usize, buf: &[u8]) -> Result<usize> {
        // SAFETY: write only reads `buf`.
        check(unsafe {
            self.call(
                nr(Call::Write),
                [fd, buf.as_ptr() as usize, buf.len(), 0, 0, 0],
            )
        })
    }

    /// `read(fd, buf, len)`: blocks until something comes; 0 at end of file.
    pub fn read(self, fd: usize, buf: &mut [u8]) -> Result<usize> {
        // SAFETY: the kernel writes at most `buf.len()` bytes into `buf`.
        check(unsafe {
            self.call(
                nr(Call::Read),
                [fd, buf.as_mut_ptr() as usize, buf.len(), 0, 0, 0],
            )
        })
    }

    /// `getpid()`.
    pub fn getpid(self) -> usize {
        // SAFETY: no pointers.
        unsafe { self.call(nr(Call::Getpid), [0; 6]) }
    }

    /// `sched_yield()`.
    pub fn sched_yield(self) -> Result<usize> {
        // SAFETY: no pointers.
        check(unsafe { self.call(nr(Call::SchedYield), [0; 6]) })
    }

    /// `clock_gettime(CLOCK_MONOTONIC)`.
    pub fn clock_monotonic(self) -> Result<Timespec> {
        let mut ts = Timespec::default();
        let ptr = &raw mut ts as usize;
        // SAFETY: the kernel writes two words at `ptr`, which is `ts`.
        let raw = unsafe {
            self.call(
                nr(Call::ClockGettime),
                [clock::CLOCK_MONOTONIC, ptr, 0, 0, 0, 0],
            )
        };
        check(raw).map(|_| ts)
    }

    /// `kill(pid, sig)`: signal 0 only asks whether `pid` exists.
    pub fn kill(self, pid: usize, sig: usize) -> Result<usize> {
        // SAFETY: no pointers.
        check(unsafe { self.call(nr(Call::Kill), [pid, sig, 0, 0, 0, 0]) })
    }

    /// `arch_prctl(ARCH_SET_FS, base)` (x86_64; ENOSYS elsewhere).
    pub fn set_fs_base(self, base: usize) -> Result<usize> {
        // SAFETY: the kernel stores the number, it does not dereference it.
        check(unsafe {
            self.call(
                nr(Call::ArchPrctl),
                [arch_prctl::ARCH_SET_FS, base, 0, 0, 0, 0],
            )
        })
    }

    /// `exit(code)`.
    pub fn exit(self, code: i32) -> ! {
        // SAFETY: no pointers.
        unsafe { self.call(nr(Call::Exit), [code as usize, 0, 0, 0, 0, 0]) };
        unreachable!("exit returned")
    }

    /// `exit_group(code)`: the same as `exit` for a one-thread process.
    pub fn exit_group(self, code: i32) -> ! {
        // SAFETY: no pointers.
        unsafe { self.call(nr(Call::ExitGroup), [code as usize, 0, 0, 0, 0, 0]) };
        unreachable!("exit_group returned")
    }
}

/// `write` through the native gate.
pub fn write(fd: usize, buf: &[u8]) -> Result<usize> {
    Gate::NATIVE.write(fd, buf)
}

/// `read` through the native gate.
pub fn read(fd: usize, buf: &mut [u8]) -> Result<usize> {
    Gate::NATIVE.read(fd, buf)
}

/// `getpid` through the native gate.
pub fn getpid() -> usize {
    Gate::NATIVE.getpid()
}

/// `sched_yield` through the native gate.
pub fn sched_yield() -> Result<usize> {
    Gate::NATIVE.sched_yield()
}

/// `clock_gettime(CLOCK_MONOTONIC)` through the native gate.
pub fn clock_monotonic() -> Result<Timespec> {
    Gate::NATIVE.clock_monotonic()
}

/// `kill` through the native gate.
pub fn kill(pid: usize, sig: usize) -> Result<usize> {
    Gate::NATIVE.kill(pid, sig)
}

/// `exit_group` through the native gate.
pub fn exit_group(code: i32) -> ! {
    Gate::NATIVE.exit_group(code)
}

/// `exit` through the native gate.
pub fn exit(code: i32) -> ! {
    Gate::NATIVE.exit(code)
}

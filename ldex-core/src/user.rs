//! Memory a process only *alleges* is its own.
//!
//! A system call argument that names user memory is a [`UserSlice`]: an
//! address and a length, nothing more. The only way to reach the bytes is to
//! [`check`](UserSlice::check) it against the process's [`UserMemory`],
//! which yields a [`CheckedSlice`]. A pointer into the kernel, a range that
//! wraps around, or one that runs past the end of a mapping gets `EFAULT`,
//! never a kernel fault.

use crate::cause::AccessKind;
use crate::syscall::errno;

/// The user memory of one process, as the OS knows it.
pub trait UserMemory {
    /// Does the process own every byte of `[addr, addr + len)` with the
    /// right to `access` it? `len` is at least 1 and the range does not wrap.
    fn allows(&self, addr: usize, len: usize, access: AccessKind) -> bool;
}

/// An address range that user mode passed in, not yet checked.
///
/// # Example
///
/// ```
/// use ldex_core::AccessKind;
/// use ldex_core::user::{UserMemory, UserSlice};
///
/// /// A process that owns one page at 0x1000, read-only.
/// struct OnePage;
/// impl UserMemory for OnePage {
///     fn allows(&self, addr: usize, len: usize, access: AccessKind) -> bool {
///         access == AccessKind::Read && addr >= 0x1000 && addr + len <= 0x2000
///     }
/// }
///
/// // write(1, 0x1800, 16): the buffer lies in the page.
/// let buf = UserSlice::new(0x1800, 16).check(&OnePage, AccessKind::Read).unwrap();
/// assert_eq!((buf.addr(), buf.len()), (0x1800, 16));
///
/// // A kernel pointer, a range past the page, one that wraps, and a write
/// // to a read-only page are all EFAULT, never a kernel fault.
/// for (addr, len, access) in [
///     (0xffff_ffff_8000_0000, 8, AccessKind::Read),
///     (0x1ff8, 16, AccessKind::Read),
///     (usize::MAX - 4, 16, AccessKind::Read),
///     (0x1800, 16, AccessKind::Write),
/// ] {
///     let fault = UserSlice::new(addr, len).check(&OnePage, access).unwrap_err();
///     assert_eq!(fault.errno(), -14isize as usize);
/// }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UserSlice {
    addr: usize,
    len: usize,
}

/// The error of a failed check: `EFAULT`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fault;

impl Fault {
    /// The system call result for this error.
    pub const fn errno(self) -> usize {
        errno::ret(errno::EFAULT)
    }
}

impl UserSlice {
    /// The range `[addr, addr + len)` as the process alleges it.
    pub const fn new(addr: usize, len: usize) -> UserSlice {
        UserSlice { addr, len }
    }

    /// Check the range against the process's memory.
    pub fn check(self, mem: &impl UserMemory, access: AccessKind) -> Result<CheckedSlice, Fault> {
        if self.len == 0 {
            return Ok(CheckedSlice {
                addr: self.addr,
                len: 0,
            });
        }
        match self.addr.checked_add(self.len) {
            Some(_) if mem.allows(self.addr, self.len, access) => Ok(CheckedSlice {
                addr: self.addr,
                len: self.len,
            }),
            _ => Err(Fault),
        }
    }
}

/// A user range that the process owns, checked for one kind of access.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckedSlice {
    addr: usize,
    len: usize,
}

impl CheckedSlice {
    /// The start address.
    pub const fn addr(&self) -> usize {
        self.addr
    }

    /// The length in bytes.
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Is it empty?
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The bytes, read through the current address space.
    ///
    /// # Safety
    /// The process's address space is the one the CPU uses now (so the
    /// checked addresses map its memory), and the kernel may read user pages
    /// (RISC-V `sstatus.SUM`, x86 SMAP off or `stac`).
    pub unsafe fn as_bytes(&self) -> &[u8] {
        if self.len == 0 {
            return &[];
        }
        // SAFETY: checked to lie in the process's readable memory, which the
        // caller promises is mapped now.
        unsafe { core::slice::from_raw_parts(self.addr as *const u8, self.len) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Window(usize, usize);
    impl UserMemory for Window {
        fn allows(&self, addr: usize, len: usize, _: AccessKind) -> bool {
            addr >= self.0 && addr + len <= self.1
        }
    }

    #[test]
    fn check_accepts_a_range_inside_user_memory() {
        let s = UserSlice::new(0x1000, 16).check(&Window(0x1000, 0x2000), AccessKind::Read);
        assert_eq!(s.map(|c| (c.addr(), c.len())), Ok((0x1000, 16)));
    }

    #[test]
    fn check_refuses_kernel_pointers_huge_lengths_and_wraparound() {
        let w = Window(0x1000, 0x2000);
        assert_eq!(
            UserSlice::new(0x8020_0000, 4).check(&w, AccessKind::Read),
            Err(Fault)
        );
        assert_eq!(
            UserSlice::new(0x1000, usize::MAX).check(&w, AccessKind::Read),
            Err(Fault)
        );
        assert_eq!(
            UserSlice::new(usize::MAX - 2, 8).check(&w, AccessKind::Read),
            Err(Fault)
        );
        assert_eq!(Fault.errno(), (-14isize) as usize);
    }
}

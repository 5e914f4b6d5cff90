//! OSTEP Fig 6.1, "load program into memory; setup user stack with argv",
//! for kernels that give each process its own page tables over
//! identity-mapped RAM (the RISC-V and AArch64 kernels): the
//! [`ProcessBuilder`] that [`crate::initrd::Queue`] drives.
//!
//! The queue checks each ELF file and orders the steps; this builder owns
//! the paging steps: a fresh address space per program (kernel half
//! closed to user mode), the segments copied into new frames with the ELF's
//! permissions, a 64 KiB user stack right below [`USER_TOP`], and the
//! builder's `spawn` with the space's root (the value the kernel's trap
//! return loads: `satp`, `TTBR0_EL1`). What differs per architecture is
//! the page-table format, behind [`UserPages`].
//!
//! The layout every such kernel shares:
//!
//! ```text
//!   USER_BOTTOM  0x1000       program images (below HEAP_START)
//!   HEAP_START   0x1000_0000  brk grows up, 256 MiB
//!   MMAP_START   0x2000_0000  mmap's room, up to the stack's guard page
//!   USER_TOP-64K              user stack
//!   USER_TOP     0x4000_0000  kernel half above
//! ```
//!
//! (The x86_64 kernel keeps its own loader: its user half is the 47-bit
//! lower half and it writes through its `memory` module's mapping helpers.)

use core::ops::Range;

use ldex_core::AccessKind;

use crate::elf::{Flags, Limits, MapError, Mapper, Segment, Target};
use crate::frames::PAGE as PAGE_U64;
use crate::initrd::{ProcessBuilder, Setup, SpawnError};
use crate::perm::Perm;
use crate::stack::{WordSize, WriteFault};

const PAGE: usize = PAGE_U64 as usize;

/// Where user space ends: the stack lies right below.
pub const USER_TOP: usize = 0x4000_0000;
/// The user stack's size.
pub const USER_STACK: usize = 64 * 1024;
/// The lowest user address (below it: the null guard).
pub const USER_BOTTOM: usize = 0x1000;
/// The initial break: programs load below it, `brk` grows above it.
pub const HEAP_START: usize = 0x1000_0000;
/// Where `mmap` looks for room, above the heap's 256 MiB, up to the stack.
pub const MMAP_START: usize = 0x2000_0000;

/// The largest segment a program may have: 16 MiB. Checked before any
/// frame is taken, so a program asking for a gigabyte of `.bss` is refused
/// and cannot take the frames of the programs running beside it.
const MAX_SEGMENT: u64 = 16 << 20;

/// What a program may not touch: RAM, where the kernel lives (everything
/// else of the kernel lies above user space too).
pub fn forbidden(ram: &Range<usize>) -> Range<u64> {
    ram.start as u64..ram.end as u64
}

/// Where programs may be loaded: user space below the heap, off the
/// `forbidden` ranges; `hwcap` is the architecture's Linux `AT_HWCAP`.
///
/// # Panics
/// If the kernel is built for a CPU [`Target::native`] does not know.
pub fn setup(forbidden: &[Range<u64>], hwcap: u64) -> Setup<'_> {
    Setup {
        target: Target::native().expect("a paged kernel has a native target"),
        limits: Limits {
            user: USER_BOTTOM as u64..HEAP_START as u64,
            forbidden,
        },
        word: WordSize::NATIVE,
        page_size: PAGE_U64,
        hwcap,
    }
}

/// May a process `access` user memory `addr..addr + len`? Only if it
/// ends at or below [`USER_TOP`] and every page it touches gives that
/// right; `rights(page)` is the rights of the user page at `page` in the
/// process's (the current) address space, `None` if it is not one.
pub fn user_allows(
    addr: usize,
    len: usize,
    access: AccessKind,
    rights: impl Fn(usize) -> Option<Perm>,
) -> bool {
    let Some(end) = addr.checked_add(len) else {
        return false;
    };
    if end > USER_TOP {
        return false;
    }
    let need = Perm::from(access);
    let mut page = addr & !(PAGE - 1);
    while page < end {
        match rights(page) {
            Some(perm) if perm.contains(need) => page += PAGE,
            _ => return false,
        }
    }
    true
}

/// Mapping a user page failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VmError {
    /// No frame left for a page or a table.
    OutOfMemory,
    /// The address is covered by a kernel big page (a block).
    KernelRange,
}

impl From<VmError> for MapError {
    fn from(e: VmError) -> MapError {
        match e {
            VmError::OutOfMemory => MapError::OutOfMemory,
            VmError::KernelRange => MapError::Refused("address in the kernel's range"),
        }
    }
}

/// One architecture's user address space, as the loader uses it.
pub trait UserPages: Sized {
    /// What the kernel needs to build the kernel half of a new space.
    type KernelHalf;
    /// The value that selects a space (`satp`, `TTBR0_EL1`).
    type Root: Copy;

    /// A new space holding the kernel half only.
    fn new(kernel_half: &Self::KernelHalf) -> Result<Self, MapError>;
    /// Map the user page at `va` to a zeroed frame with `access` (its rights
    /// grow if it is mapped already).
    fn map(&self, va: usize, access: Flags) -> Result<(), MapError>;
    /// The physical address `va` maps to, if it is mapped for user mode.
    fn translate(&self, va: usize) -> Option<usize>;
    /// The value that selects this space.
    fn root(&self) -> Self::Root;
    /// Give every frame of the space back, after loading `kernel`.
    ///
    /// # Safety
    /// No CPU runs in, or will enter, this space; `kernel` selects the
    /// kernel's own space.
    unsafe fn free(self, kernel: Self::Root);
    /// A value that differs from boot to boot (the clock), for `AT_RANDOM`.
    fn entropy() -> u64;
}

/// What a finished program becomes: a process (`Kernel::spawn`), or, for
/// the `conformance` build, the kit's user snippet.
pub type Spawn<R> = fn(&str, u64, u64, R) -> Result<(), SpawnError>;

/// Builds processes and hands each to `spawn`, each in a new address space
/// sharing the kernel half. `F` is a [`Spawn`] function, or a closure where
/// the loaded program goes somewhere local (the `conformance` build's
/// snippet slot).
pub struct Builder<S: UserPages, F = Spawn<<S as UserPages>::Root>> {
    /// What every new space's kernel half is built from.
    pub kernel_half: S::KernelHalf,
    /// Where a loaded program goes.
    pub spawn: F,
    /// The kernel's own address space, loaded while a space is freed.
    pub kernel_space: S::Root,
}

/// A user address space being filled.
pub struct Space<S>(S);

/// Copy `bytes` to user address `va` of `space`, through its frames.
fn copy_in<S: UserPages>(space: &S, va: usize, bytes: &[u8]) -> Result<(), MapError> {
    let mut done = 0;
    while done < bytes.len() {
        let at = va + done;
        let pa = space
            .translate(at)
            .ok_or(MapError::Refused("address in the kernel's range"))?;
        let n = (PAGE - at % PAGE).min(bytes.len() - done);
        // SAFETY: `pa` is in a frame this loader allocated for the new
        // process (identity-mapped RAM), and `n` bytes stay inside its page.
        unsafe { core::ptr::copy_nonoverlapping(bytes[done..].as_ptr(), pa as *mut u8, n) };
        done += n;
    }
    Ok(())
}

impl<S: UserPages> Mapper for Space<S> {
    fn map(&mut self, segment: &Segment<'_>) -> Result<(), MapError> {
        let pages = segment.pages(PAGE_U64);
        if pages.end - pages.start > MAX_SEGMENT {
            return Err(MapError::Refused("segment larger than 16 MiB"));
        }
        for page in (pages.start..pages.end).step_by(PAGE) {
            self.0.map(page as usize, segment.flags)?;
        }
        copy_in(&self.0, segment.vaddr as usize, segment.data)
    }
}

impl<S, F> ProcessBuilder for Builder<S, F>
where
    S: UserPages,
    F: FnMut(&str, u64, u64, S::Root) -> Result<(), SpawnError>,
{
    type Space = Space<S>;

    fn new_space(&mut self) -> Result<Space<S>, MapError> {
        S::new(&self.kernel_half).map(Space)
    }

    fn map_stack(&mut self, space: &mut Space<S>) -> Result<Range<u64>, MapError> {
        let bottom = USER_TOP - USER_STACK;
        let rw = Flags {
            read: true,
            write: true,
            execute: false,
        };
        for page in (bottom..USER_TOP).step_by(PAGE) {
            space.0.map(page, rw)?;
        }
        Ok(bottom as u64..USER_TOP as u64)
    }

    fn write(&mut self, space: &mut Space<S>, addr: u64, bytes: &[u8]) -> Result<(), WriteFault> {
        copy_in(&space.0, addr as usize, bytes).map_err(|_| WriteFault)
    }

    fn random(&mut self) -> [u8; 16] {
        crate::stack::random_from(S::entropy())
    }

    fn spawn(
        &mut self,
        name: &str,
        entry: u64,
        sp: u64,
        space: Space<S>,
    ) -> Result<(), SpawnError> {
        (self.spawn)(name, entry, sp, space.0.root()).inspect_err(|_| {
            // SAFETY: the process was not created: nothing enters the
            // space; `kernel_space` is the kernel's.
            unsafe { space.0.free(self.kernel_space) };
        })
    }

    /// Every frame of the space goes back to the allocator.
    fn discard(&mut self, space: Space<S>) {
        // SAFETY: a refused program's space is never entered; `kernel_space`
        // is the kernel's.
        unsafe { space.0.free(self.kernel_space) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A space whose only user pages are a read-only one at 0x1000 and a
    /// read-write one at 0x2000.
    fn rights(page: usize) -> Option<Perm> {
        match page {
            0x1000 => Some(Perm::R),
            0x2000 => Some(Perm::W),
            _ => None,
        }
    }

    #[test]
    fn user_memory_is_allowed_only_where_every_page_gives_the_right() {
        assert!(user_allows(0x1800, 0x1000, AccessKind::Read, rights));
        assert!(!user_allows(0x1800, 0x1000, AccessKind::Write, rights));
        assert!(user_allows(0x2000, 0x1000, AccessKind::Write, rights));
        assert!(!user_allows(0x2800, 0x1000, AccessKind::Read, rights));
        assert!(!user_allows(0x1000, 8, AccessKind::Execute, rights));
    }

    #[test]
    fn user_memory_past_user_top_or_wrapping_is_refused() {
        let everything = |_| Some(Perm::R.union(Perm::W).union(Perm::X));
        assert!(user_allows(USER_TOP - 8, 8, AccessKind::Read, everything));
        assert!(!user_allows(USER_TOP - 8, 9, AccessKind::Read, everything));
        assert!(!user_allows(usize::MAX, 2, AccessKind::Read, everything));
    }
}

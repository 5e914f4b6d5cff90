//! OSTEP Fig 6.1, "load program into memory; setup user stack with argv",
//! for this kernel: [`kernel_common::paged_loader`]'s builder over this
//! kernel's AArch64 page tables (kernel half EL1 only, user pages with the
//! ELF's permissions for EL0), selected by their `TTBR0_EL1` value (the
//! kernel's `spawn` passes it to [`Kernel::spawn`](ldex_core::Kernel::spawn)).

use core::ops::Range;

use kernel_common::elf::{Flags, MapError};
use kernel_common::initrd::Setup;
use kernel_common::paged_loader::{self, UserPages};
pub use kernel_common::paged_loader::{HEAP_START, MMAP_START, forbidden};
use ldex_arch_aarch64::Ttbr0;

use crate::vm::AddressSpace;

/// Linux's `AT_HWCAP` on arm64: FP and ASIMD (bits 0 and 1), which every
/// ARMv8-A CPU this kernel runs on has.
const HWCAP: u64 = 0b11;

/// Where programs may be loaded: user space below the heap, off the
/// `forbidden` ranges.
pub fn setup(forbidden: &[Range<u64>]) -> Setup<'_> {
    paged_loader::setup(forbidden, HWCAP)
}

/// Builds processes, each in a new address space sharing the kernel half
/// (copied from the kernel's root: nothing to pass in `kernel_half`).
pub type Builder = paged_loader::Builder<AddressSpace>;

impl UserPages for AddressSpace {
    /// Nothing: `AddressSpace::new` copies the kernel's level-1 entries.
    type KernelHalf = ();
    type Root = Ttbr0;

    fn new((): &()) -> Result<Self, MapError> {
        AddressSpace::new().map_err(MapError::from)
    }

    fn map(&self, va: usize, access: Flags) -> Result<(), MapError> {
        self.map_user(va, access.into())
            .map(drop)
            .map_err(MapError::from)
    }

    fn translate(&self, va: usize) -> Option<usize> {
        AddressSpace::translate(self, va).map(|(pa, _)| pa)
    }

    fn root(&self) -> Ttbr0 {
        self.ttbr0()
    }

    unsafe fn free(self, kernel: Ttbr0) {
        // SAFETY: the caller's contract is `AddressSpace::free`'s.
        unsafe { AddressSpace::free(self, kernel) }
    }

    fn entropy() -> u64 {
        ldex_arch_aarch64::timer::now()
    }
}

//! OSTEP Fig 6.1, "load program into memory; setup user stack with argv",
//! for this kernel: [`kernel_common::paged_loader`]'s builder over this
//! kernel's Sv39/Sv32 page tables (kernel half without U, user pages with the
//! ELF's permissions plus U), selected by their `satp` value (the
//! kernel's `spawn` passes it to [`Kernel::spawn`](ldex_core::Kernel::spawn)).

use core::ops::Range;

use kernel_common::elf::{Flags, MapError};
use kernel_common::initrd::Setup;
use kernel_common::paged_loader::{self, UserPages};
pub use kernel_common::paged_loader::{HEAP_START, MMAP_START, forbidden};
use ldex_arch_riscv::Satp;

use crate::vm::AddressSpace;

/// Linux's `AT_HWCAP` on RISC-V: one bit per single-letter extension, for
/// the ones this kernel's harts have (QEMU virt: I, M, A, F, D, C; rv32imac
/// builds have no F or D).
const HWCAP: u64 = {
    let letters: &[u8] = if cfg!(target_feature = "d") {
        b"imafdc"
    } else {
        b"imac"
    };
    let mut bits = 0;
    let mut i = 0;
    while i < letters.len() {
        bits |= 1 << (letters[i] - b'a');
        i += 1;
    }
    bits
};

/// Where programs may be loaded: user space below the heap, off the
/// `forbidden` ranges.
pub fn setup(forbidden: &[Range<u64>]) -> Setup<'_> {
    paged_loader::setup(forbidden, HWCAP)
}

/// Builds processes, each in a new address space sharing the kernel half
/// (copied from the kernel's root: nothing to pass in `kernel_half`).
pub type Builder = paged_loader::Builder<AddressSpace>;

impl UserPages for AddressSpace {
    /// Nothing: `AddressSpace::new` copies the kernel's root entries.
    type KernelHalf = ();
    type Root = Satp;

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

    fn root(&self) -> Satp {
        self.satp()
    }

    unsafe fn free(self, kernel: Satp) {
        // SAFETY: the caller's contract is `AddressSpace::free`'s.
        unsafe { AddressSpace::free(self, kernel) }
    }

    fn entropy() -> u64 {
        ldex_arch_riscv::timer::now()
    }
}

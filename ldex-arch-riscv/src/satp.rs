//! `satp`: the root of an address space ([`ldex_core::Arch::AddressSpace`]).

/// A `satp` value: paging mode, address-space id and the physical page
/// number of the root page table. Sv39 on rv64, Sv32 on rv32.
///
/// A `Satp` is a promise ([`ldex_core::Arch::AddressSpace`]): its tables map
/// the kernel as the current address space does and stay valid while a
/// process uses them. Only the `unsafe` constructors make one, so a kernel
/// may hand it to `Kernel::spawn` from safe code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Satp(usize);

cfg_if::cfg_if! {
    if #[cfg(target_pointer_width = "32")] {
        const MODE: usize = 1 << 31;
        const ASID_SHIFT: usize = 22;
        const ASID_MASK: usize = 0x1ff;
    } else {
        const MODE: usize = 8 << 60;
        const ASID_SHIFT: usize = 44;
        const ASID_MASK: usize = 0xffff;
    }
}

const PAGE_SHIFT: usize = 12;

impl Satp {
    /// Paging on, root table at physical address `root_pa` (4 KiB aligned),
    /// address-space id `asid` (cut to the width the mode has).
    ///
    /// # Safety
    /// The table at `root_pa` maps the kernel (code, data, stacks, devices)
    /// as the current address space does, and stays valid and unchanged in
    /// its kernel half while any process runs in it.
    pub const unsafe fn new(root_pa: usize, asid: usize) -> Satp {
        Satp(MODE | ((asid & ASID_MASK) << ASID_SHIFT) | (root_pa >> PAGE_SHIFT))
    }

    /// A value read back from the `satp` CSR.
    ///
    /// # Safety
    /// As [`Satp::new`]: `bits` names tables that map the kernel as the
    /// current ones do (the value `satp` holds now always does).
    pub const unsafe fn from_bits(bits: usize) -> Satp {
        Satp(bits)
    }

    /// The raw CSR value.
    pub const fn bits(self) -> usize {
        self.0
    }

    /// The physical address of the root table.
    pub const fn root(self) -> usize {
        (self.0 & ((1 << ASID_SHIFT) - 1)) << PAGE_SHIFT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn satp_packs_mode_asid_and_root_ppn() {
        // SAFETY: never loaded; only its bits are read.
        let s = unsafe { Satp::new(0x8040_0000, 3) };
        assert_eq!(s.bits(), (8 << 60) | (3 << 44) | 0x80400);
        assert_eq!(s.root(), 0x8040_0000);
    }
}

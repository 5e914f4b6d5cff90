//! `satp`: the root of an address space ([`ldex_core::Arch::AddressSpace`]).

/// A `satp` value: paging mode, address-space id and the physical page
/// number of the root page table. Sv39 on rv64, Sv32 on rv32.
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
    pub const fn new(root_pa: usize, asid: usize) -> Satp {
        Satp(MODE | ((asid & ASID_MASK) << ASID_SHIFT) | (root_pa >> PAGE_SHIFT))
    }

    /// A value read back from the `satp` CSR.
    pub const fn from_bits(bits: usize) -> Satp {
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
        let s = Satp::new(0x8040_0000, 3);
        assert_eq!(s.bits(), (8 << 60) | (3 << 44) | 0x80400);
        assert_eq!(s.root(), 0x8040_0000);
    }
}

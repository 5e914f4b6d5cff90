//! [`Ttbr0`]: the address-space root, the value of `TTBR0_EL1`.

/// A `TTBR0_EL1` value: the physical address of a level-1 translation
/// table (ASID 0: every switch invalidates the TLB).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ttbr0(u64);

impl Ttbr0 {
    /// The root at physical address `root` (4 KiB aligned).
    ///
    /// # Safety
    /// The table at `root` maps the kernel exactly as the address space
    /// running when it is loaded does (code, stacks, data and devices at the
    /// same addresses), and stays valid while any process uses it.
    pub const unsafe fn new(root: u64) -> Ttbr0 {
        assert!(root & 0xfff == 0, "a translation table is 4 KiB aligned");
        Ttbr0(root)
    }

    /// The register's value.
    pub const fn bits(self) -> u64 {
        self.0
    }

    /// The level-1 table's physical address.
    pub const fn root(self) -> u64 {
        self.0 & 0x0000_ffff_ffff_f000
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_is_the_table_address() {
        // SAFETY: a value for the test only, never loaded.
        let t = unsafe { Ttbr0::new(0x4123_4000) };
        assert_eq!(t.root(), 0x4123_4000);
        assert_eq!(t.bits(), 0x4123_4000);
    }
}

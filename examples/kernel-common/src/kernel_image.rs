//! The kernel image's layout, as the paging kernels' linker scripts give
//! it, and the rights of each of its pages in the kernel's own page tables
//! (W^X: code read and execute, constants read only, everything else,
//! data, bss, stacks and the RAM above, read and write without execute).

use core::ops::Range;

use crate::perm::Perm;

/// The kernel image's layout (from the linker script's symbols).
#[derive(Clone, Debug)]
pub struct KernelImage {
    /// Code: read and execute.
    pub text: Range<usize>,
    /// Constants: read only.
    pub rodata: Range<usize>,
    /// The end of the image (data and bss lie between `rodata` and here).
    pub end: usize,
}

impl KernelImage {
    /// The kernel's rights on the image page (or RAM page) at `va`.
    pub fn perm(&self, va: usize) -> Perm {
        if self.text.contains(&va) {
            Perm::R.union(Perm::X)
        } else if self.rodata.contains(&va) {
            Perm::R
        } else {
            Perm::W
        }
    }

    /// Does `[va, va + span)` hold a page of the image?
    pub fn overlaps(&self, va: usize, span: usize) -> bool {
        va < self.end && va + (span - 1) >= self.text.start
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IMAGE: KernelImage = KernelImage {
        text: 0x1000..0x3000,
        rodata: 0x3000..0x4000,
        end: 0x6000,
    };

    #[test]
    fn text_is_read_execute_rodata_read_only_the_rest_read_write() {
        assert_eq!(IMAGE.perm(0x2000), Perm::R.union(Perm::X));
        assert_eq!(IMAGE.perm(0x3000), Perm::R);
        assert_eq!(IMAGE.perm(0x4000), Perm::W);
        assert_eq!(IMAGE.perm(0x9000), Perm::W);
    }

    #[test]
    fn overlaps_only_spans_that_hold_an_image_page() {
        assert!(IMAGE.overlaps(0, 0x2000));
        assert!(!IMAGE.overlaps(0, 0x1000));
        assert!(IMAGE.overlaps(0x5000, 0x1000));
        assert!(!IMAGE.overlaps(0x6000, 0x1000));
    }
}

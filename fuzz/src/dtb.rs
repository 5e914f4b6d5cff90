//! `dtb`: the device-tree reader the RISC-V kernel boots with, on any
//! bytes.
//!
//! An accepted tree must lie where it was said to, and its RAM and initrd
//! ranges must not run backwards.

use kernel_common::devicetree::read;

/// Where QEMU's virt machine puts the blob (any address would do).
const BASE: usize = 0x8700_0000;

pub(crate) fn run(data: &[u8]) {
    match read(data, BASE) {
        Ok(info) => {
            assert_eq!(info.dtb.start, BASE);
            assert!(
                info.dtb.len() <= data.len(),
                "the tree is larger than the blob"
            );
            assert!(info.ram.start <= info.ram.end, "RAM runs backwards");
            assert!(
                info.initrd.is_none_or(|r| r.start <= r.end),
                "initrd runs backwards"
            );
            assert!(info.timebase_hz > 0, "a zero timebase was taken");
        }
        Err(why) => drop(why.to_string()),
    }
}

//! The device tree OpenSBI passes in `a1`, read by
//! [`kernel_common::devicetree`]: RAM, the timebase, the command line and
//! the initrd.
//!
//! QEMU writes `/chosen/bootargs` from `-append` and
//! `/chosen/linux,initrd-start` / `linux,initrd-end` from `-initrd`.

use kernel_common::devicetree::{self, BootInfo, DtbError, HEADER_LEN};

/// Read the device tree at physical address `dtb`.
///
/// # Safety
/// `dtb` is the address OpenSBI passed in `a1`: a blob whose header is
/// readable and whose `totalsize` bytes stay untouched for the kernel's
/// lifetime.
pub unsafe fn read(dtb: usize) -> Result<BootInfo<'static>, DtbError> {
    // SAFETY: the caller vouches for the header's bytes.
    let header = unsafe { core::slice::from_raw_parts(dtb as *const u8, HEADER_LEN) };
    let size = devicetree::total_size(header)?;
    // SAFETY: the header, which the caller vouches for, says the blob is
    // `size` bytes long, and nothing writes it.
    let blob = unsafe { core::slice::from_raw_parts(dtb as *const u8, size) };
    devicetree::read(blob, dtb)
}

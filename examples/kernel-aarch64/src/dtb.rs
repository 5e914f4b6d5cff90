//! The device tree QEMU passes in `x0`, read by
//! [`kernel_common::devicetree`]: RAM, the command line and the initrd.
//! (The timer's rate is the CPU's own `CNTFRQ_EL0`; an AArch64 tree names
//! no `timebase-frequency`.)
//!
//! QEMU writes `/chosen/bootargs` from `-append` and
//! `/chosen/linux,initrd-start` / `linux,initrd-end` from `-initrd`.

use kernel_common::devicetree::{self, BootInfo, DtbError, HEADER_LEN};

/// Read the device tree at physical address `dtb`, with the counter's
/// rate `counter_hz` as its timebase.
///
/// # Safety
/// `dtb` is the address QEMU passed in `x0`: a blob whose header is
/// readable and whose `totalsize` bytes stay untouched for the kernel's
/// lifetime.
pub unsafe fn read(dtb: usize, counter_hz: u64) -> Result<BootInfo<'static>, DtbError> {
    // SAFETY: the caller vouches for the header's bytes.
    let header = unsafe { core::slice::from_raw_parts(dtb as *const u8, HEADER_LEN) };
    let size = devicetree::total_size(header)?;
    // SAFETY: the header, which the caller vouches for, says the blob is
    // `size` bytes long, and nothing writes it.
    let blob = unsafe { core::slice::from_raw_parts(dtb as *const u8, size) };
    devicetree::read_with_timebase(blob, dtb, counter_hz)
}

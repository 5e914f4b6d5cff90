//! What the device tree tells the kernel: RAM, the command line and the
//! initrd. (The timer's frequency is the CPU's own `CNTFRQ_EL0`.)
//!
//! QEMU writes `/chosen/bootargs` from `-append` and
//! `/chosen/linux,initrd-start` / `linux,initrd-end` from `-initrd`; the
//! cells are 32- or 64-bit, which `fdt`'s `as_usize` reads either way.

use core::fmt;
use core::ops::Range;

use fdt::Fdt;

/// The facts the kernel boots with.
#[derive(Debug)]
pub struct BootInfo {
    /// The kernel command line (empty if none).
    pub bootargs: &'static str,
    /// The initrd's physical range, if QEMU was given one.
    pub initrd: Option<Range<usize>>,
    /// The first RAM region.
    pub ram: Range<usize>,
    /// Where the device tree itself lies.
    pub dtb: Range<usize>,
}

/// The device tree could not be read.
#[derive(Debug)]
pub enum DtbError {
    /// The blob's header is bad.
    Parse(fdt::FdtError),
    /// It names no memory.
    NoMemory,
}

impl fmt::Display for DtbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DtbError::Parse(e) => write!(f, "unreadable device tree: {e:?}"),
            DtbError::NoMemory => f.write_str("the device tree names no memory"),
        }
    }
}

/// Read the device tree at physical address `dtb`.
///
/// # Safety
/// `dtb` is the address QEMU passed in `x0`, and the blob stays untouched
/// for the kernel's lifetime.
pub unsafe fn read(dtb: usize) -> Result<BootInfo, DtbError> {
    // SAFETY: the caller vouches for the blob.
    let fdt: Fdt<'static> = unsafe { Fdt::from_ptr(dtb as *const u8) }.map_err(DtbError::Parse)?;
    let region = fdt.memory().regions().next().ok_or(DtbError::NoMemory)?;
    let ram_start = region.starting_address as usize;
    let ram = ram_start..ram_start + region.size.unwrap_or(0);
    let chosen = fdt.find_node("/chosen");
    let prop = |name| {
        chosen
            .and_then(|c| c.property(name))
            .and_then(|p| p.as_usize())
    };
    let initrd = match (prop("linux,initrd-start"), prop("linux,initrd-end")) {
        (Some(start), Some(end)) => Some(start..end),
        _ => None,
    };
    Ok(BootInfo {
        bootargs: fdt.chosen().bootargs().unwrap_or(""),
        initrd,
        ram,
        dtb: dtb..dtb + fdt.total_size(),
    })
}

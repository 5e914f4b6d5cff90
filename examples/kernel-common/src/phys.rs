//! Physical memory as a reader of firmware structures sees it: a checked
//! window, never a raw pointer.
//!
//! Firmware tables (the ACPI RSDP and the tables it leads to, the PVH
//! memory map) are outside input that points at more outside input: every
//! address and length in them is a claim. A [`PhysicalMemory`] answers "the
//! `len` bytes at physical `addr`" with a slice, or with `None` when they
//! are not all there, so a reader following such claims can refuse a bad
//! one instead of reading past what is mapped. The kernel implements it over
//! its direct map; the host tests and `ldex-fuzz` implement it over a byte
//! buffer (`[u8]`: physical address = index).

/// Physical memory that can be read, byte range by byte range.
pub trait PhysicalMemory {
    /// The `len` bytes at physical `addr`, or `None` if any of them lies
    /// outside this memory.
    fn bytes(&self, addr: u64, len: usize) -> Option<&[u8]>;
}

/// A buffer as physical memory from address 0: byte `i` is at address `i`.
impl PhysicalMemory for [u8] {
    fn bytes(&self, addr: u64, len: usize) -> Option<&[u8]> {
        let start = usize::try_from(addr).ok()?;
        self.get(start..start.checked_add(len)?)
    }
}

/// The little-endian `u32` at `offset` of `bytes`, if they hold it.
pub(crate) fn le32(bytes: &[u8], offset: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        bytes.get(offset..offset.checked_add(4)?)?.try_into().ok()?,
    ))
}

/// The little-endian `u64` at `offset` of `bytes`, if they hold it.
pub(crate) fn le64(bytes: &[u8], offset: usize) -> Option<u64> {
    Some(u64::from_le_bytes(
        bytes.get(offset..offset.checked_add(8)?)?.try_into().ok()?,
    ))
}

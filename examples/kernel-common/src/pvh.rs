//! The PVH boot protocol's memory map: where the x86_64 kernel's RAM ends.
//!
//! QEMU's PVH loader hands the kernel a start info whose `memmap_paddr`
//! and `memmap_entries` give an E820-style map:
//!
//! ```text
//!   entry (24 bytes, little-endian)
//!    0  addr (u64)    8  size (u64)    16  kind (u32, 1 = RAM)    20  reserved
//! ```
//!
//! The map is outside input: a region's end is computed with checked
//! arithmetic, and a region that wraps, ends past the limit or does not
//! hold the start is not taken.

use core::ops::Range;

use crate::phys::{le32, le64};

/// Bytes of one memory-map entry.
pub const ENTRY_LEN: usize = 24;
/// The `kind` of usable RAM.
const RAM: u32 = 1;

/// The RAM from `start` on, as the memory map `map` (its entries back to
/// back; a partial one at the end is ignored) tells: `start` up to the end
/// of the last RAM region that holds `start` and ends at or below `limit`.
/// `None` if no region does.
#[must_use]
pub fn ram(map: &[u8], start: u64, limit: u64) -> Option<Range<u64>> {
    map.chunks_exact(ENTRY_LEN)
        .filter_map(|e| {
            let (addr, size, kind) = (le64(e, 0)?, le64(e, 8)?, le32(e, 16)?);
            let end = addr.checked_add(size)?;
            (kind == RAM && addr <= start && start < end && end <= limit).then_some(end)
        })
        .next_back()
        .map(|end| start..end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    fn map(entries: &[(u64, u64, u32)]) -> Vec<u8> {
        let mut m = Vec::new();
        for &(addr, size, kind) in entries {
            m.extend_from_slice(&addr.to_le_bytes());
            m.extend_from_slice(&size.to_le_bytes());
            m.extend_from_slice(&kind.to_le_bytes());
            m.extend_from_slice(&[0; 4]);
        }
        m
    }

    const MIB: u64 = 1 << 20;
    const GIB: u64 = 1 << 30;

    #[test]
    fn qemu_128_mib_map_gives_ram_from_4_mib_to_the_end_of_the_high_region() {
        let m = map(&[
            (0, 0x9fc00, 1),
            (0x9fc00, 0x400, 2),
            (0xf0000, 0x10000, 2),
            (MIB, 127 * MIB, 1),
        ]);
        assert_eq!(ram(&m, 4 * MIB, 4 * GIB), Some(4 * MIB..128 * MIB));
    }

    #[test]
    fn a_region_that_wraps_past_the_limit_or_misses_the_start_is_not_taken() {
        let m = map(&[
            (MIB, u64::MAX, 1),
            (MIB, 8 * GIB, 1),
            (8 * MIB, MIB, 1),
            (0, MIB, 1),
            (MIB, 8 * MIB, 2),
        ]);
        assert_eq!(ram(&m, 4 * MIB, 4 * GIB), None);
        assert_eq!(ram(&m[..ENTRY_LEN - 1], 4 * MIB, 4 * GIB), None);
    }
}

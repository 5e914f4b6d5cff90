//! The ACPI tables the x86_64 kernel reads: from the RSDP through the RSDT
//! or XSDT to the MADT ([`madt`]), every step checked.
//!
//! ```text
//!   RSDP (at the PVH start info's rsdp_paddr)   SDT header (every table)
//!    0  "RSD PTR "                               0  signature ("XSDT", "APIC", ...)
//!    8  checksum (bytes 0..20 sum to 0)          4  length, header included
//!   15  revision (0: ACPI 1.0, 2: 2.0+)          8  revision
//!   16  RSDT address (u32)                       9  checksum (length bytes sum to 0)
//!   20  length            \                     10  OEM id, table id, revisions
//!   24  XSDT address (u64) } revision >= 2      36  the table's own fields
//!   32  extended checksum /
//!
//!   RSDT / XSDT: the header, then u32 / u64 physical addresses of tables
//! ```
//!
//! The tables are outside input: the firmware wrote them, and every
//! address and length in them is a claim checked against the
//! [`PhysicalMemory`] the walk is given. A refusal is an [`Error`]; no
//! table makes the walk panic, loop or read outside that memory
//! (`ldex-fuzz`'s `acpi` target feeds it mutated tables).
//!
//! It replaced the `acpi` crate (5.2), whose handler cannot refuse a
//! mapping and which trusts the lengths it finds: a root table or MADT
//! shorter than its header underflows a subtraction, a MADT entry of
//! length 0 loops forever, an entry longer than what is left of its table
//! underflows again, and a short entry is read past its end
//! (`fuzz/tests/regressions.rs` keeps one input for each).

pub mod madt;

use core::fmt;

use crate::phys::{PhysicalMemory, le32, le64};

pub use madt::Madt;

/// Bytes of an SDT header.
pub const HEADER_LEN: usize = 36;
/// Bytes of an ACPI 1.0 RSDP (and of the part its checksum covers).
const RSDP_V1_LEN: usize = 20;
/// Bytes of an ACPI 2.0+ RSDP.
const RSDP_V2_LEN: usize = 36;

/// Why the tables gave no MADT.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// No RSDP at the address: wrong signature or checksum.
    NoRsdp,
    /// A structure said to lie at `addr` (`len` bytes) is not all in
    /// memory.
    Outside {
        /// Its physical address.
        addr: u64,
        /// Its claimed length.
        len: u64,
    },
    /// The table at `addr` has the wrong signature, a length shorter than
    /// its fixed part (or, for a root table, not a whole number of
    /// entries), or a bad checksum.
    BadTable {
        /// Its physical address.
        addr: u64,
        /// The signature it should have had.
        signature: [u8; 4],
    },
    /// No table of the root table has this signature.
    Missing {
        /// The signature looked for.
        signature: [u8; 4],
    },
    /// The MADT's entry at `offset` (from the table's start) is cut short
    /// or runs past the table.
    BadEntry {
        /// Its offset.
        offset: usize,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NoRsdp => write!(f, "no ACPI RSDP"),
            Error::Outside { addr, len } => {
                write!(
                    f,
                    "ACPI structure at {addr:#x} ({len} bytes) lies outside memory"
                )
            }
            Error::BadTable { addr, signature } => write!(
                f,
                "damaged ACPI {} table at {addr:#x}",
                signature.escape_ascii()
            ),
            Error::Missing { signature } => {
                write!(f, "no ACPI {} table", signature.escape_ascii())
            }
            Error::BadEntry { offset } => write!(f, "damaged MADT entry at offset {offset}"),
        }
    }
}

/// The `len` bytes at `addr` of `mem`, or [`Error::Outside`].
fn read<M: PhysicalMemory + ?Sized>(mem: &M, addr: u64, len: usize) -> Result<&[u8], Error> {
    mem.bytes(addr, len).ok_or(Error::Outside {
        addr,
        len: len as u64,
    })
}

/// Do `bytes` sum to 0 (mod 256), as every ACPI checksum makes them?
fn sums_to_zero(bytes: &[u8]) -> bool {
    bytes.iter().fold(0u8, |sum, &b| sum.wrapping_add(b)) == 0
}

/// The root table the RSDP at `rsdp` leads to: its entries and their width
/// (4 for the RSDT, 8 for the XSDT).
fn root<M: PhysicalMemory + ?Sized>(mem: &M, rsdp: u64) -> Result<(&[u8], usize), Error> {
    let v1 = read(mem, rsdp, RSDP_V1_LEN)?;
    if &v1[..8] != b"RSD PTR " || !sums_to_zero(v1) {
        return Err(Error::NoRsdp);
    }
    let (addr, signature, width) = if v1[15] >= 2 {
        let v2 = read(mem, rsdp, RSDP_V2_LEN)?;
        let len = le32(v2, 20).ok_or(Error::NoRsdp)? as usize;
        if len < RSDP_V2_LEN || !sums_to_zero(read(mem, rsdp, len)?) {
            return Err(Error::NoRsdp);
        }
        (le64(v2, 24).ok_or(Error::NoRsdp)?, *b"XSDT", 8)
    } else {
        (u64::from(le32(v1, 16).ok_or(Error::NoRsdp)?), *b"RSDT", 4)
    };
    let table = table(mem, addr, signature, HEADER_LEN)?;
    let entries = &table[HEADER_LEN..];
    if entries.len() % width != 0 {
        return Err(Error::BadTable { addr, signature });
    }
    Ok((entries, width))
}

/// The whole table at `addr`, checked: its signature is `signature`, its
/// length at least `fixed` (its header and fixed fields) and its checksum
/// right.
fn table<M: PhysicalMemory + ?Sized>(
    mem: &M,
    addr: u64,
    signature: [u8; 4],
    fixed: usize,
) -> Result<&[u8], Error> {
    let bad = Error::BadTable { addr, signature };
    let header = read(mem, addr, HEADER_LEN)?;
    let len = le32(header, 4).ok_or(bad)? as usize;
    if header[..4] != signature || len < fixed {
        return Err(bad);
    }
    let table = read(mem, addr, len)?;
    if !sums_to_zero(table) {
        return Err(bad);
    }
    Ok(table)
}

/// The first table of the root table under the RSDP at `rsdp` whose
/// signature is `signature`, checked as [`table`] does.
fn find<M: PhysicalMemory + ?Sized>(
    mem: &M,
    rsdp: u64,
    signature: [u8; 4],
    fixed: usize,
) -> Result<&[u8], Error> {
    let (entries, width) = root(mem, rsdp)?;
    for entry in entries.chunks_exact(width) {
        let mut addr = [0; 8];
        addr[..width].copy_from_slice(entry);
        let addr = u64::from_le_bytes(addr);
        if read(mem, addr, HEADER_LEN)?[..4] == signature {
            return table(mem, addr, signature, fixed);
        }
    }
    Err(Error::Missing { signature })
}

#[cfg(test)]
mod tests;

//! The MADT ("APIC"): how the PC's interrupts are wired and which
//! processors it has.
//!
//! ```text
//!   MADT                                   entries: type, length, fields
//!    0  SDT header, "APIC"                  0 local APIC     8 bytes: uid, APIC id, flags (bit 0: enabled)
//!   36  local APIC address (u32)            1 I/O APIC      12 bytes: id, 0, address (u32), GSI base (u32)
//!   40  flags (u32)                         2 IRQ override  10 bytes: bus, IRQ, GSI (u32), MPS INTI flags (u16)
//!   44  entries, back to back               others: skipped by their length
//! ```
//!
//! Two kinds of entry route an interrupt: the I/O APIC (its registers and
//! the first global system interrupt (GSI) its pins carry) and the
//! interrupt source override, which says where an ISA IRQ is wired when it
//! is not pin-for-pin, and with which polarity and trigger. QEMU's PC
//! overrides IRQ 0 (to GSI 2) and the PCI link IRQs; COM1's IRQ 4 keeps
//! ISA's default: GSI 4, edge, active high. The local APIC entries list
//! the processors.
//!
//! [`Madt::find`] checks every entry's length before it hands the table
//! out, so a [`Madt`] is a table whose entries all lie inside it, each at
//! least as long as its kind's fields: walking it cannot fail.

use ldex_core::MAX_CPUS;

use super::{Error, HEADER_LEN, find};
use crate::phys::{PhysicalMemory, le32};

/// Bytes before the first entry: the header, the local APIC address and
/// the flags.
const FIXED_LEN: usize = HEADER_LEN + 8;

/// A checked MADT: its entries, every one whole.
#[derive(Clone, Copy, Debug)]
pub struct Madt<'m> {
    entries: &'m [u8],
}

/// One MADT entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entry {
    /// A processor's local APIC (type 0).
    LocalApic {
        /// Its APIC id.
        apic_id: u8,
        /// Flags bit 0: the processor can be used. (Bit 1, "online
        /// capable", is for hot-plug, which the kernels do not do.)
        enabled: bool,
    },
    /// An I/O APIC (type 1).
    IoApic {
        /// Its registers (physical).
        address: u32,
        /// The GSI of its pin 0.
        gsi_base: u32,
    },
    /// An interrupt source override (type 2).
    Override {
        /// The bus (0: ISA).
        bus: u8,
        /// The bus's IRQ.
        irq: u8,
        /// The GSI it arrives on.
        gsi: u32,
        /// MPS INTI flags: bits 0..2 polarity, 2..4 trigger mode.
        flags: u16,
    },
    /// Any other kind, skipped.
    Other {
        /// Its type.
        kind: u8,
    },
}

/// The entry at the start of `bytes` and the bytes after it, or `None` if
/// it is cut short or runs past them.
fn entry(bytes: &[u8]) -> Option<(Entry, &[u8])> {
    let (&kind, &len) = (bytes.first()?, bytes.get(1)?);
    let fields = bytes.get(..usize::from(len))?;
    let needs = |n: usize| (fields.len() >= n).then_some(());
    let entry = match kind {
        0 => {
            needs(8)?;
            Entry::LocalApic {
                apic_id: fields[3],
                enabled: fields[4] & 1 != 0,
            }
        }
        1 => Entry::IoApic {
            address: le32(fields, 4)?,
            gsi_base: le32(fields, 8)?,
        },
        2 => {
            needs(10)?;
            Entry::Override {
                bus: fields[2],
                irq: fields[3],
                gsi: le32(fields, 4)?,
                flags: u16::from_le_bytes([fields[8], fields[9]]),
            }
        }
        _ => {
            needs(2)?;
            Entry::Other { kind }
        }
    };
    Some((entry, &bytes[fields.len()..]))
}

/// The entries of a checked MADT, in table order.
#[derive(Clone, Debug)]
pub struct Entries<'m> {
    rest: &'m [u8],
}

impl Iterator for Entries<'_> {
    type Item = Entry;

    fn next(&mut self) -> Option<Entry> {
        let (entry, rest) = entry(self.rest)?;
        self.rest = rest;
        Some(entry)
    }
}

/// An I/O APIC pin, as the MADT routes an ISA IRQ to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Route {
    /// The I/O APIC's registers (physical).
    pub ioapic: u64,
    /// Its pin: the GSI less the I/O APIC's first GSI.
    pub pin: u8,
    /// Active low (ISA's default is active high).
    pub active_low: bool,
    /// Level-triggered (ISA's default is edge).
    pub level: bool,
}

/// The APIC ids of the enabled processors, in MADT order, at most
/// [`MAX_CPUS`] of them.
#[derive(Clone, Copy, Debug)]
pub struct LocalApics {
    ids: [u32; MAX_CPUS],
    len: usize,
}

impl LocalApics {
    /// The APIC ids.
    pub fn ids(&self) -> &[u32] {
        &self.ids[..self.len]
    }
}

impl<'m> Madt<'m> {
    /// The MADT of the tables under the RSDP at physical `rsdp` of `mem`,
    /// its every entry checked.
    pub fn find<M: PhysicalMemory + ?Sized>(mem: &'m M, rsdp: u64) -> Result<Self, Error> {
        let table = find(mem, rsdp, *b"APIC", FIXED_LEN)?;
        let mut rest = &table[FIXED_LEN..];
        while !rest.is_empty() {
            let offset = table.len() - rest.len();
            (_, rest) = entry(rest).ok_or(Error::BadEntry { offset })?;
        }
        Ok(Madt {
            entries: &table[FIXED_LEN..],
        })
    }

    /// Its entries.
    pub fn entries(&self) -> Entries<'m> {
        Entries { rest: self.entries }
    }

    /// Where ISA IRQ `irq` comes in: the I/O APIC pin of its GSI (its
    /// override's, else `irq` itself), or `Err(gsi)` if no I/O APIC
    /// carries that GSI.
    pub fn route_isa_irq(&self, irq: u8) -> Result<Route, u32> {
        // ISA's defaults: IRQ n is GSI n, edge, active high (MPS INTI
        // flags 0). The last override for the IRQ counts.
        let (gsi, flags) = self
            .entries()
            .filter_map(|e| match e {
                Entry::Override {
                    bus: 0,
                    irq: i,
                    gsi,
                    flags,
                } if i == irq => Some((gsi, flags)),
                _ => None,
            })
            .last()
            .unwrap_or((u32::from(irq), 0));
        // The I/O APIC whose pins start nearest below the GSI carries it
        // (the pin count is checked against the chip itself when routing).
        self.entries()
            .filter_map(|e| match e {
                Entry::IoApic { address, gsi_base } if gsi_base <= gsi => Some((gsi_base, address)),
                _ => None,
            })
            .max_by_key(|&(base, _)| base)
            .and_then(|(base, address)| {
                Some(Route {
                    ioapic: u64::from(address),
                    pin: u8::try_from(gsi - base).ok()?,
                    active_low: flags & 0b11 == 0b11,
                    level: (flags >> 2) & 0b11 == 0b11,
                })
            })
            .ok_or(gsi)
    }

    /// The processors it lists as enabled.
    pub fn local_apics(&self) -> LocalApics {
        let mut apics = LocalApics {
            ids: [0; MAX_CPUS],
            len: 0,
        };
        let enabled = self.entries().filter_map(|e| match e {
            Entry::LocalApic {
                apic_id,
                enabled: true,
            } => Some(u32::from(apic_id)),
            _ => None,
        });
        for (slot, id) in apics.ids.iter_mut().zip(enabled) {
            *slot = id;
            apics.len += 1;
        }
        apics
    }
}

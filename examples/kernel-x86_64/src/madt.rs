//! Where the PC's interrupt wiring is written down: the ACPI MADT.
//!
//! The PVH start info gives the RSDP's physical address; the rust-osdev
//! `acpi` crate (5.2, without `alloc`: its handler only maps, and the
//! direct map already holds every table) checks the RSDP and the XSDT or
//! RSDT, finds the MADT ("APIC") and walks its entries. Two kinds matter
//! here: the I/O APIC (its registers and the first global system interrupt
//! (GSI) its pins carry) and the interrupt source overrides, which say
//! where an ISA IRQ is wired when it is not pin-for-pin, and with which
//! polarity and trigger. QEMU's PC overrides IRQ 0 (to GSI 2) and the PCI
//! link IRQs; COM1's IRQ 4 keeps ISA's default: GSI 4, edge, active high.
//!
//! The MADT also lists the processors, one local APIC entry each: its APIC
//! id and whether it is enabled. [`local_apics`] reads them for
//! [`crate::smp`], which starts every enabled one but the boot CPU.

use core::ptr::NonNull;

use acpi::madt::{Madt, MadtEntry};
use acpi::{AcpiHandler, AcpiTables, PhysicalMapping};
use ldex_core::MAX_CPUS;

use crate::memory::phys_to_virt;

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

/// Why the MADT gave no route.
#[derive(Debug)]
pub enum Error {
    /// No RSDP, or the tables it leads to are damaged or hold no MADT.
    Tables(acpi::AcpiError),
    /// No I/O APIC carries the IRQ's GSI.
    NoIoApic {
        /// The GSI nobody carries.
        gsi: u32,
    },
}

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Error::Tables(e) => write!(f, "no usable ACPI MADT ({e:?})"),
            Error::NoIoApic { gsi } => write!(f, "no I/O APIC carries GSI {gsi}"),
        }
    }
}

/// The tables as the kernel reaches them: through the direct map, which
/// covers the first 4 GiB (where the firmware puts them), so "mapping" a
/// region is adding the offset and unmapping is nothing.
#[derive(Clone, Copy, Debug)]
struct DirectMap;

impl AcpiHandler for DirectMap {
    unsafe fn map_physical_region<T>(&self, phys: usize, size: usize) -> PhysicalMapping<Self, T> {
        let virt = NonNull::new(phys_to_virt(phys as u64).cast::<T>())
            .expect("the direct map is never at address 0");
        // SAFETY: the direct map maps `phys..phys + size` at `virt` for the
        // kernel's whole life; the caller promises a `T` is there.
        unsafe { PhysicalMapping::new(phys, virt, size, size, *self) }
    }

    fn unmap_physical_region<T>(_region: &PhysicalMapping<Self, T>) {}
}

/// The MADT under the RSDP at physical `rsdp`.
///
/// # Safety
/// As [`route_isa_irq`].
unsafe fn madt(rsdp: u64) -> Result<PhysicalMapping<DirectMap, Madt>, Error> {
    if rsdp == 0 {
        return Err(Error::Tables(acpi::AcpiError::NoValidRsdp));
    }
    // SAFETY: our caller's promise; the crate checks the signature and
    // checksum before it trusts a table.
    let tables =
        unsafe { AcpiTables::from_rsdp(DirectMap, rsdp as usize) }.map_err(Error::Tables)?;
    tables.find_table::<Madt>().map_err(Error::Tables)
}

/// The APIC ids of the enabled processors, in MADT order, at most
/// [`MAX_CPUS`] of them.
#[derive(Debug)]
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

/// The processors the MADT under the RSDP at physical `rsdp` lists as
/// enabled (flag bit 0; bit 1, "online capable", is for hot-plug, which
/// this kernel does not do).
///
/// # Safety
/// As [`route_isa_irq`].
pub unsafe fn local_apics(rsdp: u64) -> Result<LocalApics, Error> {
    // SAFETY: our caller's promise.
    let madt = unsafe { madt(rsdp) }?;
    let mut apics = LocalApics {
        ids: [0; MAX_CPUS],
        len: 0,
    };
    let enabled = madt.get().entries().filter_map(|entry| match entry {
        MadtEntry::LocalApic(lapic) if lapic.flags & 1 != 0 => Some(u32::from(lapic.apic_id)),
        _ => None,
    });
    for (slot, id) in apics.ids.iter_mut().zip(enabled) {
        *slot = id;
        apics.len += 1;
    }
    Ok(apics)
}

/// Where ISA IRQ `irq` comes in, read from the MADT under the RSDP at
/// physical `rsdp`.
///
/// # Safety
/// `rsdp` is 0 or the RSDP's address (the PVH start info's `rsdp_paddr`),
/// and the tables lie below 4 GiB, in the direct map.
pub unsafe fn route_isa_irq(rsdp: u64, irq: u8) -> Result<Route, Error> {
    // SAFETY: our caller's promise.
    let madt = unsafe { madt(rsdp) }?;
    // ISA's defaults: IRQ n is GSI n, edge, active high (MPS INTI flags 0).
    let (mut gsi, mut flags) = (u32::from(irq), 0u16);
    for entry in madt.get().entries() {
        if let MadtEntry::InterruptSourceOverride(o) = entry
            && o.bus == 0
            && o.irq == irq
        {
            (gsi, flags) = (o.global_system_interrupt, o.flags);
        }
    }
    // The I/O APIC whose pins start nearest below the GSI carries it (the
    // pin count is checked against the chip itself when routing).
    madt.get()
        .entries()
        .filter_map(|entry| match entry {
            MadtEntry::IoApic(io) => Some((io.global_system_interrupt_base, io.io_apic_address)),
            _ => None,
        })
        .filter(|&(base, _)| base <= gsi)
        .max_by_key(|&(base, _)| base)
        .and_then(|(base, address)| {
            Some(Route {
                ioapic: u64::from(address),
                pin: u8::try_from(gsi - base).ok()?,
                active_low: flags & 0b11 == 0b11,
                level: (flags >> 2) & 0b11 == 0b11,
            })
        })
        .ok_or(Error::NoIoApic { gsi })
}

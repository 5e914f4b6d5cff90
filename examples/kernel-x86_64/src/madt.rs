//! Where the PC's interrupt wiring is written down: the ACPI MADT, under
//! the RSDP whose address the PVH start info gives.
//!
//! `kernel_common::acpi` does the walk, every address and length in the
//! tables checked; here it reads the tables through the direct map
//! ([`DirectMap`]), which refuses anything not below 4 GiB. Two readings
//! matter: where COM1's IRQ comes in ([`route_isa_irq`], for
//! [`crate::ioapic`]) and which processors are enabled ([`local_apics`],
//! for [`crate::smp`], which starts every one but the boot CPU).

use kernel_common::acpi::{self, Madt};

pub use kernel_common::acpi::madt::{LocalApics, Route};

use crate::memory::DirectMap;

/// Why the MADT gave no route.
#[derive(Debug)]
pub enum Error {
    /// No RSDP, or the tables it leads to are damaged or hold no MADT.
    Tables(acpi::Error),
    /// No I/O APIC carries the IRQ's GSI.
    NoIoApic {
        /// The GSI nobody carries.
        gsi: u32,
    },
}

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Error::Tables(e) => write!(f, "no usable ACPI MADT ({e})"),
            Error::NoIoApic { gsi } => write!(f, "no I/O APIC carries GSI {gsi}"),
        }
    }
}

/// The tables as the kernel reaches them.
static TABLES: DirectMap = {
    // SAFETY: only the walk below reads through it, from the RSDP our
    // callers name, which leads to firmware tables, not device registers.
    unsafe { DirectMap::new() }
};

/// The MADT under the RSDP at physical `rsdp` (0: none).
///
/// # Safety
/// As [`route_isa_irq`].
unsafe fn madt(rsdp: u64) -> Result<Madt<'static>, Error> {
    if rsdp == 0 {
        return Err(Error::Tables(acpi::Error::NoRsdp));
    }
    Madt::find(&TABLES, rsdp).map_err(Error::Tables)
}

/// The processors the MADT under the RSDP at physical `rsdp` lists as
/// enabled, at most `MAX_CPUS` of them.
///
/// # Safety
/// As [`route_isa_irq`].
pub unsafe fn local_apics(rsdp: u64) -> Result<LocalApics, Error> {
    // SAFETY: our caller's promise.
    Ok(unsafe { madt(rsdp) }?.local_apics())
}

/// Where ISA IRQ `irq` comes in, read from the MADT under the RSDP at
/// physical `rsdp`.
///
/// # Safety
/// `rsdp` is 0 or the RSDP's address (the PVH start info's `rsdp_paddr`),
/// so that what the walk reads is the firmware's tables.
pub unsafe fn route_isa_irq(rsdp: u64, irq: u8) -> Result<Route, Error> {
    // SAFETY: our caller's promise.
    let madt = unsafe { madt(rsdp) }?;
    madt.route_isa_irq(irq)
        .map_err(|gsi| Error::NoIoApic { gsi })
}

//! `acpi`: the x86_64 kernel's walk from the RSDP to the MADT, on any
//! bytes as physical memory.
//!
//! The input is physical memory from address 0, the RSDP at 0; every
//! pointer in the tables is an offset into it, and one past its end must
//! be refused, not read. An accepted MADT must route an ISA IRQ only to an
//! I/O APIC it lists, and list no more processors than
//! the kernel has room for.

use kernel_common::acpi::Madt;
use kernel_common::acpi::madt::Entry;
use ldex_core::percpu::MAX_CPUS;

pub(crate) fn run(data: &[u8]) {
    match Madt::find(data, 0) {
        Ok(madt) => {
            assert!(
                madt.entries().count() * 2 <= data.len(),
                "more entries than bytes"
            );
            for irq in 0..16 {
                if let Ok(route) = madt.route_isa_irq(irq) {
                    assert!(
                        madt.entries()
                            .any(|e| matches!(e, Entry::IoApic { address, .. }
                            if u64::from(address) == route.ioapic)),
                        "IRQ {irq} routed to an I/O APIC the MADT does not list"
                    );
                }
            }
            assert!(madt.local_apics().ids().len() <= MAX_CPUS);
        }
        Err(why) => drop(why.to_string()),
    }
}

//! `acpi`: the x86_64 kernel's walk from the RSDP to the MADT, on any
//! bytes as physical memory.
//!
//! The input is physical memory from address 0, the RSDP at 0; every
//! pointer in the tables is an offset into it, and one past its end must
//! be refused, not read. An accepted MADT must route an ISA IRQ only to an
//! I/O APIC it lists, and list no more processors than the kernel has
//! room for.
//!
//! Every structure is checksummed, so almost every mutation of a table is
//! refused at its checksum. Each input is therefore walked twice: as it
//! is, and with the checksums made right along the way ([`fix_checksums`]),
//! so that mutations reach the root table's pointers and the MADT's
//! entries.

use kernel_common::acpi::Madt;
use kernel_common::acpi::madt::Entry;
use ldex_core::MAX_CPUS;

pub(crate) fn run(data: &[u8]) {
    walk(data);
    let mut fixed = data.to_vec();
    if fix_checksums(&mut fixed).is_some() && fixed != data {
        walk(&fixed);
    }
}

fn walk(data: &[u8]) {
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

/// Make the checksum byte at `at` of `mem[start..start + len]` right, if
/// that range lies in `mem`.
fn fix(mem: &mut [u8], start: usize, len: usize, at: usize) -> Option<()> {
    let bytes = mem.get_mut(start..start.checked_add(len)?)?;
    *bytes.get_mut(at)? = 0;
    let sum = bytes.iter().fold(0u8, |s, &b| s.wrapping_add(b));
    bytes[at] = sum.wrapping_neg();
    Some(())
}

fn u32_at(mem: &[u8], at: usize) -> Option<usize> {
    Some(u32::from_le_bytes(mem.get(at..at.checked_add(4)?)?.try_into().ok()?) as usize)
}

/// Make the checksums of the RSDP at 0, of its root table and of every
/// table the root lists right, as far as they lie in `mem`.
fn fix_checksums(mem: &mut [u8]) -> Option<()> {
    fix(mem, 0, 20, 8)?;
    let xsdt = *mem.get(15)? >= 2;
    let root = if xsdt {
        fix(mem, 0, u32_at(mem, 20)?, 32)?;
        usize::try_from(u64::from_le_bytes(mem.get(24..32)?.try_into().ok()?)).ok()?
    } else {
        u32_at(mem, 16)?
    };
    let len = u32_at(mem, root.checked_add(4)?)?;
    fix(mem, root, len, 9)?;
    let width = if xsdt { 8 } else { 4 };
    for i in 0..len.saturating_sub(36) / width {
        let at = root + 36 + i * width;
        let table = match width {
            4 => u32_at(mem, at)?,
            _ => usize::try_from(u64::from_le_bytes(mem.get(at..at + 8)?.try_into().ok()?)).ok()?,
        };
        let len = u32_at(mem, table.checked_add(4)?)?;
        fix(mem, table, len, 9);
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_with_a_changed_entry_is_accepted_again_once_its_checksums_are_fixed() {
        for seed in ["rsdt.bin", "xsdt.bin"] {
            let path = [env!("CARGO_MANIFEST_DIR"), "corpus", "acpi", seed].join("/");
            let mut mem = std::fs::read(path).unwrap();
            let last = mem.len() - 1;
            mem[last] ^= 0x40;
            assert!(Madt::find(&mem[..], 0).is_err());
            fix_checksums(&mut mem).unwrap();
            assert!(Madt::find(&mem[..], 0).is_ok(), "{seed}");
        }
    }
}

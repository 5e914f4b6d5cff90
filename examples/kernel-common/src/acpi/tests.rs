//! Hand-built tables (laid out like QEMU's PC: one I/O APIC, IRQ 0 moved
//! to GSI 2, the PCI IRQs level-triggered), and what the walk makes of
//! them and of every damaged copy.

use std::vec::Vec;

use super::madt::{Entry, Route};
use super::{Error, Madt};

/// Where the root table and the tables it lists start in an image.
const ROOT: usize = 0x40;

/// Set byte 9 (the checksum) of an SDT so that it sums to 0.
fn fix_checksum(table: &mut [u8], at: usize) {
    table[at] = 0;
    let sum = table.iter().fold(0u8, |s, &b| s.wrapping_add(b));
    table[at] = sum.wrapping_neg();
}

/// An SDT: the header with `signature`, then `body`.
fn sdt(signature: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut t = Vec::new();
    t.extend_from_slice(signature);
    t.extend_from_slice(&((36 + body.len()) as u32).to_le_bytes());
    t.extend_from_slice(&[1, 0]);
    t.extend_from_slice(b"LDEX  LDEXTEST");
    t.extend_from_slice(&[0; 12]);
    t.extend_from_slice(body);
    fix_checksum(&mut t, 9);
    t
}

/// QEMU's PC MADT entries for `cpus` processors (the last one disabled if
/// `last_disabled`).
pub fn pc_entries(cpus: u8, last_disabled: bool) -> Vec<u8> {
    let mut e = Vec::new();
    for id in 0..cpus {
        let enabled = !(last_disabled && id + 1 == cpus);
        e.extend_from_slice(&[0, 8, id, id, u8::from(enabled), 0, 0, 0]);
    }
    e.extend_from_slice(&[1, 12, 0, 0]);
    e.extend_from_slice(&0xfec0_0000u32.to_le_bytes());
    e.extend_from_slice(&0u32.to_le_bytes());
    for (irq, gsi, flags) in [
        (0u8, 2u32, 0u16),
        (5, 5, 0xd),
        (9, 9, 0xd),
        (10, 10, 0xd),
        (11, 11, 0xd),
    ] {
        e.extend_from_slice(&[2, 10, 0, irq]);
        e.extend_from_slice(&gsi.to_le_bytes());
        e.extend_from_slice(&flags.to_le_bytes());
    }
    e.extend_from_slice(&[4, 6, 0xff, 0, 0, 1]);
    e
}

/// Physical memory from 0 holding an RSDP at 0 (ACPI 1.0 with an RSDT if
/// `revision` is 0, else 2.0 with an XSDT), its root table at [`ROOT`]
/// listing a "WAET" table and then a MADT with `entries`.
pub fn image(revision: u8, entries: &[u8]) -> Vec<u8> {
    let waet = sdt(b"WAET", &[0; 4]);
    let mut madt_body = Vec::new();
    madt_body.extend_from_slice(&0xfee0_0000u32.to_le_bytes());
    madt_body.extend_from_slice(&1u32.to_le_bytes());
    madt_body.extend_from_slice(entries);
    let madt = sdt(b"APIC", &madt_body);
    let width = if revision == 0 { 4 } else { 8 };
    let root_len = 36 + 2 * width;
    let waet_at = ROOT + root_len;
    let madt_at = waet_at + waet.len();
    let mut pointers = Vec::new();
    for at in [waet_at, madt_at] {
        pointers.extend_from_slice(&(at as u64).to_le_bytes()[..width]);
    }
    let root = sdt(if revision == 0 { b"RSDT" } else { b"XSDT" }, &pointers);
    let mut rsdp = Vec::new();
    rsdp.extend_from_slice(b"RSD PTR ");
    rsdp.push(0);
    rsdp.extend_from_slice(b"LDEX  ");
    rsdp.push(revision);
    rsdp.extend_from_slice(&(if revision == 0 { ROOT as u32 } else { 0 }).to_le_bytes());
    fix_checksum(&mut rsdp, 8);
    if revision != 0 {
        rsdp.extend_from_slice(&36u32.to_le_bytes());
        rsdp.extend_from_slice(&(ROOT as u64).to_le_bytes());
        rsdp.extend_from_slice(&[0; 4]);
        fix_checksum(&mut rsdp, 32);
    }
    let mut mem = rsdp;
    mem.resize(ROOT, 0);
    mem.extend_from_slice(&root);
    mem.extend_from_slice(&waet);
    mem.extend_from_slice(&madt);
    mem
}

const COM1: Route = Route {
    ioapic: 0xfec0_0000,
    pin: 4,
    active_low: false,
    level: false,
};

#[test]
fn qemu_like_tables_route_com1_to_pin_4_and_irq_0_to_pin_2_through_rsdt_and_xsdt() {
    for revision in [0, 2] {
        let mem = image(revision, &pc_entries(2, false));
        let madt = Madt::find(&mem[..], 0).unwrap();
        assert_eq!(madt.route_isa_irq(4), Ok(COM1));
        assert_eq!(madt.route_isa_irq(0).unwrap().pin, 2);
        let pci = madt.route_isa_irq(11).unwrap();
        assert!(pci.level && !pci.active_low);
        assert_eq!(madt.local_apics().ids(), [0, 1]);
    }
}

#[test]
fn disabled_processors_are_not_listed_and_unknown_entries_are_skipped() {
    let mut entries = pc_entries(3, true);
    entries.extend_from_slice(&[0x7f, 3, 0]);
    let mem = image(2, &entries);
    let madt = Madt::find(&mem[..], 0).unwrap();
    assert_eq!(madt.local_apics().ids(), [0, 1]);
    assert_eq!(madt.entries().last(), Some(Entry::Other { kind: 0x7f }));
}

#[test]
fn a_gsi_no_io_apic_carries_is_named() {
    let mut entries = Vec::from(&pc_entries(1, false)[..8]);
    entries.extend_from_slice(&[1, 12, 0, 0, 0, 0, 0xc0, 0xfe, 16, 0, 0, 0]);
    let mem = image(0, &entries);
    assert_eq!(Madt::find(&mem[..], 0).unwrap().route_isa_irq(4), Err(4));
}

#[test]
fn a_madt_entry_of_length_0_or_past_the_table_or_short_for_its_kind_is_refused() {
    for bad in [
        &[0x80u8, 0][..],
        &[0x80, 1],
        &[0x80, 9, 0, 0],
        &[0, 6, 0, 0, 1, 0],
        &[1, 8, 0, 0, 0, 0, 0, 0],
        &[2, 9, 0, 4, 0, 0, 0, 0, 0],
    ] {
        let mut entries = pc_entries(1, false);
        let offset = 44 + entries.len();
        entries.extend_from_slice(bad);
        let mem = image(2, &entries);
        assert_eq!(
            Madt::find(&mem[..], 0).unwrap_err(),
            Error::BadEntry { offset },
            "{bad:?}"
        );
    }
}

#[test]
fn tables_past_the_end_of_memory_are_refused_not_read() {
    let mem = image(2, &pc_entries(1, false));
    for cut in [10, 30, ROOT + 20, ROOT + 50, mem.len() - 1] {
        assert!(
            matches!(Madt::find(&mem[..cut], 0), Err(Error::Outside { .. })),
            "cut at {cut}"
        );
    }
    assert!(matches!(
        Madt::find(&mem[..], u64::MAX - 3),
        Err(Error::Outside { .. })
    ));
}

#[test]
fn a_table_shorter_than_its_header_is_refused_where_the_acpi_crate_underflowed() {
    let mut mem = image(0, &pc_entries(1, false));
    mem[ROOT + 4..ROOT + 8].copy_from_slice(&0u32.to_le_bytes());
    fix_checksum(&mut mem[ROOT..ROOT + 36], 9);
    assert!(matches!(
        Madt::find(&mem[..], 0),
        Err(Error::BadTable { .. })
    ));
}

#[test]
fn every_flipped_or_cut_byte_is_refused_or_read_never_a_panic() {
    for revision in [0, 2] {
        let mem = image(revision, &pc_entries(2, false));
        for at in 0..mem.len() {
            for bit in 0..8 {
                let mut m = mem.clone();
                m[at] ^= 1 << bit;
                if let Ok(madt) = Madt::find(&m[..], 0) {
                    let _ = (madt.route_isa_irq(4), madt.local_apics());
                }
            }
            assert!(Madt::find(&mem[..at], 0).is_err());
        }
    }
}

#[test]
fn a_bad_rsdp_signature_or_checksum_is_no_rsdp() {
    let mut mem = image(2, &pc_entries(1, false));
    mem[0] = b'X';
    assert_eq!(Madt::find(&mem[..], 0).unwrap_err(), Error::NoRsdp);
    let mut mem = image(2, &pc_entries(1, false));
    mem[30] ^= 1;
    assert_eq!(Madt::find(&mem[..], 0).unwrap_err(), Error::NoRsdp);
}

/// The seeds of `ldex-fuzz`'s `acpi` target are these images, so fuzzing
/// starts past the checksums. `LDEX_WRITE_SEEDS=1` writes them afresh.
#[test]
fn the_acpi_fuzz_seeds_are_the_images_built_here() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/acpi");
    for (name, mem) in [
        ("rsdt.bin", image(0, &pc_entries(1, false))),
        ("xsdt.bin", image(2, &pc_entries(3, true))),
    ] {
        let path = dir.join(name);
        if std::env::var_os("LDEX_WRITE_SEEDS").is_some() {
            std::fs::write(&path, &mem).unwrap();
        }
        let seed = std::fs::read(&path).unwrap();
        assert!(
            seed == mem,
            "{} is stale: LDEX_WRITE_SEEDS=1 rewrites it",
            path.display()
        );
        assert!(Madt::find(&seed[..], 0).is_ok());
    }
}

//! Every input that once crashed a parser, as a named test.
//!
//! Each file under `regressions/TARGET/` is a crash AFL++ saved (or, for
//! `acpi`, an input built by hand from reading the crate it broke); the test
//! runs it through its target (which panics if the parser does) and checks
//! what the parser now says about it. `tests/corpus.rs` replays the whole
//! directory as well, so a file added there without a test still runs.
//!
//! The `dtb` inputs crashed the `fdt` crate (0.1.5), which kernel-riscv
//! read its device tree with: on a blob a bit off, it panics instead of
//! failing (`/chosen is required`, `no null terminating string on C str?`,
//! slice indices past the blob, `bad node`). kernel_common::devicetree
//! replaced it; each test names the panic it reproduced.

use kernel_common::devicetree::{BootInfo, DtbError, read};

fn input(target: &str, name: &str) -> Vec<u8> {
    let path = [env!("CARGO_MANIFEST_DIR"), "regressions", target, name].join("/");
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The `dtb` crash `name`, run through its target and then read.
fn dtb(name: &str) -> Result<BootInfo<'static>, DtbError> {
    let data = input("dtb", name).leak();
    (ldex_fuzz::find("dtb").unwrap().run)(data);
    read(data, 0x8700_0000)
}

fn malformed(result: Result<BootInfo<'_>, DtbError>) -> bool {
    matches!(result, Err(DtbError::Malformed { .. }))
}

#[test]
fn dtb_without_chosen_boots_with_no_command_line_where_fdt_panicked_chosen_is_required() {
    let info = dtb("no-chosen").unwrap();
    assert_eq!((info.bootargs, info.initrd), ("", None));
}

#[test]
fn dtb_with_a_property_name_that_is_not_utf8_is_read_where_fdt_panicked_not_utf8_cstr() {
    assert!(dtb("name-not-utf8").is_ok());
}

#[test]
fn dtb_with_a_name_offset_past_the_strings_is_malformed_where_fdt_indexed_past_the_slice() {
    assert!(malformed(dtb("name-offset-past-strings")));
}

#[test]
fn dtb_with_a_property_name_without_nul_is_malformed_where_fdt_panicked_no_null_terminating() {
    assert!(malformed(dtb("name-without-nul")));
}

#[test]
fn dtb_with_a_broken_cpus_node_is_malformed_where_fdt_panicked_cpus_is_a_required_node() {
    assert!(malformed(dtb("no-cpus")));
}

#[test]
fn dtb_with_a_bad_version_is_refused_where_fdt_panicked_requires_memory_node() {
    assert_eq!(dtb("no-memory").unwrap_err(), DtbError::BadHeader);
}

#[test]
fn dtb_without_timebase_is_refused_by_name_where_fdt_panicked_timebase_is_required() {
    assert_eq!(dtb("no-timebase").unwrap_err(), DtbError::NoTimebase);
}

#[test]
fn dtb_with_a_node_cut_short_is_malformed_where_fdt_unwrapped_none() {
    assert!(malformed(dtb("node-cut-before-properties")));
    assert!(malformed(dtb("node-name-cut")));
}

#[test]
fn dtb_with_a_node_that_never_ends_is_malformed_where_fdt_asserted_bad_node() {
    assert!(malformed(dtb("node-without-end")));
}

#[test]
fn dtb_with_a_memory_reg_too_short_is_refused_where_fdt_unwrapped_none() {
    assert_eq!(dtb("reg-cut").unwrap_err(), DtbError::NoMemory);
}

#[test]
fn dtb_with_blocks_past_its_end_is_refused_where_fdt_indexed_past_the_slice() {
    assert_eq!(
        dtb("strings-block-past-end").unwrap_err(),
        DtbError::BadHeader
    );
    assert_eq!(
        dtb("struct-block-past-end").unwrap_err(),
        DtbError::BadHeader
    );
}

#[test]
fn dtb_with_a_node_name_without_nul_is_malformed_where_fdt_panicked_unit_name_c_str() {
    assert!(malformed(dtb("unit-name-without-nul")));
}

#[test]
fn dtb_with_a_value_past_the_struct_block_is_malformed_where_fdt_indexed_past_the_slice() {
    assert!(malformed(dtb("value-past-struct-block")));
}

/// The `acpi` input `name` (tables built like the seed `rsdt.bin`, one
/// field broken, checksums fixed), run through its target and then walked.
///
/// Each broke the `acpi` crate (5.2), which kernel-x86_64 read its MADT
/// with: checked on the host through a handler over the same bytes, it
/// panicked in debug builds (a wrapped subtraction and a read far past the
/// table in the kernel's release build) or looped forever.
/// kernel_common::acpi replaced it; each test names what the crate did.
fn acpi(name: &str) -> Result<(), kernel_common::acpi::Error> {
    let data = input("acpi", name).leak();
    (ldex_fuzz::find("acpi").unwrap().run)(data);
    kernel_common::acpi::Madt::find(&data[..], 0).map(drop)
}

#[test]
fn acpi_root_table_of_length_0_is_damaged_where_the_acpi_crate_underflowed_lib_rs_289() {
    assert!(matches!(
        acpi("root-length-zero"),
        Err(kernel_common::acpi::Error::BadTable { .. })
    ));
}

#[test]
fn acpi_madt_shorter_than_its_fixed_fields_is_damaged_where_the_acpi_crate_underflowed_madt_rs_328()
{
    assert!(matches!(
        acpi("madt-shorter-than-fixed-fields"),
        Err(kernel_common::acpi::Error::BadTable { .. })
    ));
}

#[test]
fn acpi_madt_entry_of_length_0_is_refused_where_the_acpi_crate_looped_forever() {
    assert!(matches!(
        acpi("madt-entry-length-zero"),
        Err(kernel_common::acpi::Error::BadEntry { offset: 44 })
    ));
}

#[test]
fn acpi_madt_entry_past_the_table_is_refused_where_the_acpi_crate_underflowed_madt_rs_379() {
    assert!(matches!(
        acpi("madt-entry-past-table"),
        Err(kernel_common::acpi::Error::BadEntry { .. })
    ));
}

#[test]
fn acpi_io_apic_entry_of_2_bytes_is_refused_where_the_acpi_crate_read_past_it_then_looped() {
    assert!(matches!(
        acpi("madt-io-apic-entry-too-short"),
        Err(kernel_common::acpi::Error::BadEntry { offset: 52 })
    ));
}

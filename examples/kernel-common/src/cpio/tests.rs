use std::format;
use std::string::ToString;
use std::vec::Vec;

use super::*;

const DIR: u32 = 0o040_755;
const REG: u32 = 0o100_644;

/// Append one newc member, padded as `cpio -H newc` pads it.
fn member(out: &mut Vec<u8>, name: &str, mode: u32, data: &[u8]) {
    let fields = [1, mode, 0, 0, 1, 0, data.len() as u32, 0, 0, 0, 0, name.len() as u32 + 1, 0];
    out.extend_from_slice(b"070701");
    for f in fields {
        out.extend_from_slice(format!("{f:08X}").as_bytes());
    }
    out.extend_from_slice(name.as_bytes());
    out.push(0);
    out.resize(out.len().next_multiple_of(4), 0);
    out.extend_from_slice(data);
    out.resize(out.len().next_multiple_of(4), 0);
}

fn archive(files: &[(&str, u32, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, mode, data) in files {
        member(&mut out, name, *mode, data);
    }
    member(&mut out, TRAILER, 0, &[]);
    out.resize(out.len().next_multiple_of(512), 0);
    out
}

#[test]
fn regular_files_come_out_in_archive_order_without_dot_slash() {
    let a = archive(&[
        (".", DIR, b""),
        ("./hello", REG, b"hello-elf"),
        ("bin", DIR, b""),
        ("spinner", REG, b"spin"),
        ("empty", REG, b""),
    ]);
    let got: Vec<_> = files(&a).collect();
    assert_eq!(
        got,
        [
            Ok(File { name: "hello", data: b"hello-elf" }),
            Ok(File { name: "spinner", data: b"spin" }),
            Ok(File { name: "empty", data: b"" }),
        ]
    );
}

#[test]
fn iteration_stops_at_the_trailer_and_ignores_what_follows() {
    let mut a = archive(&[("one", REG, b"1")]);
    member(&mut a, "after-trailer", REG, b"x");
    assert_eq!(files(&a).count(), 1);
}

#[test]
fn an_empty_initrd_is_an_error() {
    let got: Vec<_> = files(&[]).collect();
    assert_eq!(got, [Err(CpioError::Empty)]);
    assert_eq!(CpioError::Empty.to_string(), "the initrd is empty");
}

#[test]
fn bad_magic_is_reported_once_then_iteration_stops() {
    let mut a = archive(&[("one", REG, b"1")]);
    a[0..6].copy_from_slice(b"070707");
    let got: Vec<_> = files(&a).collect();
    assert_eq!(got, [Err(CpioError::BadMagic { offset: 0 })]);
    assert!(got[0].unwrap_err().to_string().contains("bad magic"));
}

#[test]
fn an_archive_cut_inside_a_file_is_truncated() {
    let a = archive(&[("one", REG, b"0123456789abcdef")]);
    let cut = &a[..120];
    let got: Vec<_> = files(cut).collect();
    assert_eq!(got, [Err(CpioError::Truncated { offset: 0 })]);
}

#[test]
fn an_archive_without_a_trailer_is_truncated_after_the_last_file() {
    let mut a = Vec::new();
    member(&mut a, "one", REG, b"1");
    let end = a.len();
    let got: Vec<_> = files(&a).collect();
    assert_eq!(
        got,
        [Ok(File { name: "one", data: b"1" }), Err(CpioError::Truncated { offset: end })]
    );
}

#[test]
fn non_hex_header_fields_and_unterminated_names_are_refused() {
    let mut a = archive(&[("one", REG, b"1")]);
    a[20] = b'z';
    assert_eq!(files(&a).next(), Some(Err(CpioError::BadField { offset: 0 })));

    let mut a = archive(&[("one", REG, b"1")]);
    a[110 + 3] = b'!'; // overwrite the name's NUL
    assert_eq!(files(&a).next(), Some(Err(CpioError::BadName { offset: 0 })));
}

use std::string::ToString;
use std::vec::Vec;

use super::*;
use crate::testing::{DIR, REG, archive, member};

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
            Ok(File {
                name: "hello",
                data: b"hello-elf"
            }),
            Ok(File {
                name: "spinner",
                data: b"spin"
            }),
            Ok(File {
                name: "empty",
                data: b""
            }),
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
        [
            Ok(File {
                name: "one",
                data: b"1"
            }),
            Err(CpioError::Truncated { offset: end })
        ]
    );
}

#[test]
fn non_hex_header_fields_and_unterminated_names_are_refused() {
    let mut a = archive(&[("one", REG, b"1")]);
    a[20] = b'z';
    assert_eq!(
        files(&a).next(),
        Some(Err(CpioError::BadField { offset: 0 }))
    );

    let mut a = archive(&[("one", REG, b"1")]);
    a[110 + 3] = b'!'; // overwrite the name's NUL
    assert_eq!(
        files(&a).next(),
        Some(Err(CpioError::BadName { offset: 0 }))
    );
}

#[test]
fn huge_size_fields_are_truncation_not_overflow() {
    for field in [6, 11] {
        let mut a = archive(&[("one", REG, b"1")]);
        let at = 6 + 8 * field;
        a[at..at + 8].copy_from_slice(b"FFFFFFFF");
        let got = files(&a).next();
        assert!(
            matches!(got, Some(Err(CpioError::Truncated { offset: 0 }))),
            "field {field}: {got:?}"
        );
    }
}

#[test]
fn no_single_byte_corruption_makes_the_reader_panic() {
    let good = archive(&[("one", REG, b"first"), ("two", REG, b"second file")]);
    for at in 0..good.len() {
        for value in [b'0', b'7', b'F', b'z', 0x00, 0xff] {
            let mut a = good.clone();
            a[at] = value;
            assert!(files(&a).count() <= 3);
        }
    }
}

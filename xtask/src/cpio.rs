//! A writer for cpio "newc" archives, the initrd format QEMU's `-initrd`
//! hands to the example kernels.
//!
//! Each entry is a 110-byte ASCII header (magic `070701` and thirteen
//! 8-digit hex fields), the NUL-terminated name padded to a multiple of 4
//! bytes counted from the header's start, then the data padded to a
//! multiple of 4. The archive ends with an empty entry named `TRAILER!!!`.
//! Entries are regular files (mode 0o100755) in the order given, which is
//! the order the kernels run them in.

use crate::cmd::{Error, Result};

const MAGIC: &str = "070701";
const TRAILER: &str = "TRAILER!!!";
const REGULAR_EXECUTABLE: u32 = 0o100_755;

/// Builds a newc archive of `(name, contents)` pairs, in order.
///
/// Names must be non-empty and free of NUL; they may repeat (the kernel runs
/// each entry, so a program can run twice). Sizes must fit in 32 bits.
pub fn archive<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    for (index, (name, data)) in files.into_iter().enumerate() {
        if name.is_empty() || name.contains('\0') || name == TRAILER {
            return Err(Error::new(format!("cpio: bad file name {name:?}")));
        }
        let ino = u32::try_from(index + 1)
            .map_err(|_| Error::new("cpio: more than 2^32 files".to_owned()))?;
        entry(&mut out, ino, REGULAR_EXECUTABLE, 1, name, data)?;
    }
    entry(&mut out, 0, 0, 1, TRAILER, &[])?;
    Ok(out)
}

fn entry(out: &mut Vec<u8>, ino: u32, mode: u32, nlink: u32, name: &str, data: &[u8]) -> Result {
    let size = u32::try_from(data.len())
        .map_err(|_| Error::new(format!("cpio: {name} is larger than 4 GiB")))?;
    let namesize = u32::try_from(name.len() + 1).expect("names are short");
    // ino mode uid gid nlink mtime filesize devmajor devminor rdevmajor
    // rdevminor namesize check
    let fields = [ino, mode, 0, 0, nlink, 0, size, 0, 0, 0, 0, namesize, 0];
    out.extend_from_slice(MAGIC.as_bytes());
    for field in fields {
        out.extend_from_slice(format!("{field:08X}").as_bytes());
    }
    out.extend_from_slice(name.as_bytes());
    out.push(0);
    pad4(out);
    out.extend_from_slice(data);
    pad4(out);
    Ok(())
}

/// Pads with NULs to a multiple of 4; every entry starts 4-aligned, so the
/// archive offset is the right reference for both name and data padding.
fn pad4(out: &mut Vec<u8>) {
    out.resize(out.len().next_multiple_of(4), 0);
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER_LEN: usize = 110;

    /// A minimal newc reader, independent of the writer, used to check it.
    fn read(mut buf: &[u8]) -> Vec<(String, u32, Vec<u8>)> {
        let start_len = buf.len();
        let mut entries = Vec::new();
        loop {
            assert_eq!((start_len - buf.len()) % 4, 0, "entry not 4-aligned");
            assert_eq!(&buf[..6], b"070701");
            let field = |i: usize| {
                let hex = std::str::from_utf8(&buf[6 + 8 * i..14 + 8 * i]).unwrap();
                u32::from_str_radix(hex, 16).unwrap()
            };
            let (mode, size, namesize) = (field(1), field(6) as usize, field(11) as usize);
            let name_end = HEADER_LEN + namesize;
            assert_eq!(buf[name_end - 1], 0, "name not NUL-terminated");
            let name = String::from_utf8(buf[HEADER_LEN..name_end - 1].to_vec()).unwrap();
            let data_start = name_end.next_multiple_of(4);
            let data = buf[data_start..data_start + size].to_vec();
            buf = &buf[(data_start + size).next_multiple_of(4)..];
            if name == TRAILER {
                assert!(buf.is_empty(), "bytes after the trailer");
                return entries;
            }
            entries.push((name, mode, data));
        }
    }

    #[test]
    fn archive_of_two_files_reads_back_in_order_with_contents() {
        let bytes = archive([("hello", &b"\x7fELF..."[..]), ("spin", &b"abc"[..])]).unwrap();
        let entries = read(&bytes);
        let summary: Vec<_> = entries
            .iter()
            .map(|(n, m, d)| (n.as_str(), *m, d.len()))
            .collect();
        assert_eq!(summary, [("hello", 0o100755, 7), ("spin", 0o100755, 3)]);
        assert_eq!(entries[0].2, b"\x7fELF...");
        assert_eq!(entries[1].2, b"abc");
    }

    #[test]
    fn empty_archive_is_exactly_the_trailer_entry() {
        let bytes = archive([]).unwrap();
        let header = "070701\
            00000000000000000000000000000000000000010000000000000000\
            000000000000000000000000000000000000000B00000000";
        let mut expected = header.as_bytes().to_vec();
        expected.extend_from_slice(b"TRAILER!!!\0");
        expected.resize(124, 0);
        assert_eq!(bytes, expected);
        assert!(read(&bytes).is_empty());
    }

    #[test]
    fn header_fields_are_uppercase_hex_of_the_file() {
        let bytes = archive([("a", &[1u8, 2, 3, 4, 5][..])]).unwrap();
        let header = std::str::from_utf8(&bytes[..HEADER_LEN]).unwrap();
        let fields = [
            "00000001", // ino
            "000081ED", // mode 0o100755
            "00000000", // uid
            "00000000", // gid
            "00000001", // nlink
            "00000000", // mtime
            "00000005", // filesize
            "00000000", // devmajor
            "00000000", // devminor
            "00000000", // rdevmajor
            "00000000", // rdevminor
            "00000002", // namesize, NUL included
            "00000000", // check
        ];
        assert_eq!(header, format!("070701{}", fields.concat()));
        // "a\0" ends at 112: already 4-aligned, so data starts right there.
        assert_eq!(&bytes[112..117], &[1, 2, 3, 4, 5]);
        assert_eq!(&bytes[117..120], &[0, 0, 0]);
    }

    #[test]
    fn a_repeated_name_is_kept_as_two_entries_with_distinct_inodes() {
        let bytes = archive([("x", &b"1"[..]), ("x", &b"2"[..])]).unwrap();
        let entries = read(&bytes);
        assert_eq!(
            entries.iter().map(|e| e.2.clone()).collect::<Vec<_>>(),
            [b"1", b"2"]
        );
        assert_eq!(&bytes[6..14], b"00000001");
        // "x\0" ends at 112, one data byte, padded: the second header is at 116.
        assert_eq!(&bytes[116..130], b"07070100000002");
    }

    #[test]
    fn empty_nul_and_trailer_names_are_refused() {
        for name in ["", "a\0b", "TRAILER!!!"] {
            assert!(archive([(name, &[][..])]).is_err(), "{name:?} accepted");
        }
    }

    #[test]
    fn system_cpio_lists_the_archive_when_installed() {
        use std::io::Write;
        use std::process::{Command, Stdio};
        let Ok(mut child) = Command::new("cpio")
            .args(["-t", "--quiet"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
        else {
            eprintln!("cpio not installed: cross-check skipped");
            return;
        };
        let bytes = archive([("one", &b"1"[..]), ("two", &b"22"[..])]).unwrap();
        child.stdin.take().unwrap().write_all(&bytes).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success());
        assert_eq!(String::from_utf8(out.stdout).unwrap(), "one\ntwo\n");
    }
}

//! The initrd: a cpio "newc" archive (what `cpio -o -H newc` writes and QEMU's
//! `-initrd` passes through untouched).
//!
//! Each member is a 110-byte ASCII header, the NUL-terminated name, and the
//! data; the name and the data are each padded to a multiple of 4 bytes from
//! the start of the archive. The archive ends with a member named
//! `TRAILER!!!` (and usually zero padding after it).
//!
//! ```text
//!   offset  size  field (8 hex digits each, after the 6-byte magic)
//!        0     6  magic "070701" (or "070702": the same with a checksum)
//!        6     8  ino         14  mode       22  uid       30  gid
//!       38     8  nlink       46  mtime      54  filesize  62  devmajor
//!       70     8  devminor    78  rdevmajor  86  rdevminor 94  namesize
//!      102     8  check
//!      110        name (namesize bytes, NUL included), pad to 4
//!                 data (filesize bytes), pad to 4
//! ```
//!
//! [`Entries`] yields the regular files in archive order and skips the rest
//! (`.`, directories, links). A damaged archive yields one [`CpioError`] and
//! then stops.

use core::fmt;

const HEADER_LEN: usize = 110;
const TRAILER: &str = "TRAILER!!!";
const S_IFMT: u32 = 0o170_000;
const S_IFREG: u32 = 0o100_000;

/// One regular file of the archive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct File<'a> {
    /// Its name, without a leading `./`.
    pub name: &'a str,
    /// Its contents.
    pub data: &'a [u8],
}

/// Why the archive cannot be read. Offsets count from the archive's start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CpioError {
    /// The archive has no bytes at all.
    Empty,
    /// A header does not start with `070701` or `070702`.
    BadMagic {
        /// Where the header should start.
        offset: usize,
    },
    /// A header field is not 8 hexadecimal digits.
    BadField {
        /// Where the header starts.
        offset: usize,
    },
    /// The archive ends inside a header, name or file, or before the trailer.
    Truncated {
        /// Where the cut member starts.
        offset: usize,
    },
    /// A name is empty, lacks its NUL, or is not UTF-8.
    BadName {
        /// Where the header starts.
        offset: usize,
    },
}

impl fmt::Display for CpioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            CpioError::Empty => f.write_str("the initrd is empty"),
            CpioError::BadMagic { offset } => {
                write!(
                    f,
                    "not a cpio newc archive (bad magic at offset {offset:#x})"
                )
            }
            CpioError::BadField { offset } => {
                write!(
                    f,
                    "bad cpio header field in the member at offset {offset:#x}"
                )
            }
            CpioError::Truncated { offset } => {
                write!(
                    f,
                    "cpio archive truncated in the member at offset {offset:#x}"
                )
            }
            CpioError::BadName { offset } => {
                write!(f, "bad file name in the cpio member at offset {offset:#x}")
            }
        }
    }
}

/// The regular files of `archive`, in archive order.
pub fn files(archive: &[u8]) -> Entries<'_> {
    Entries {
        archive,
        offset: 0,
        done: false,
    }
}

/// The iterator of [`files`].
#[derive(Clone, Debug)]
pub struct Entries<'a> {
    archive: &'a [u8],
    offset: usize,
    done: bool,
}

/// One member, before the directory/regular-file filter.
struct Member<'a> {
    name: &'a str,
    mode: u32,
    data: &'a [u8],
    next: usize,
}

impl<'a> Entries<'a> {
    fn member(&self, at: usize) -> Result<Member<'a>, CpioError> {
        let truncated = CpioError::Truncated { offset: at };
        let header = self.archive.get(at..at + HEADER_LEN).ok_or(truncated)?;
        if &header[..6] != b"070701" && &header[..6] != b"070702" {
            return Err(CpioError::BadMagic { offset: at });
        }
        let field = |index: usize| -> Result<u32, CpioError> {
            let start = 6 + 8 * index;
            let digits = core::str::from_utf8(&header[start..start + 8])
                .map_err(|_| CpioError::BadField { offset: at })?;
            u32::from_str_radix(digits, 16).map_err(|_| CpioError::BadField { offset: at })
        };
        let mode = field(1)?;
        let file_size = field(6)? as usize;
        let name_size = field(11)? as usize;

        // Sizes come from the archive: every sum is checked, so a huge field
        // is a truncated archive, not an overflow (usize is 32 bits on rv32).
        let name_start = at + HEADER_LEN;
        let name_end = name_start.checked_add(name_size).ok_or(truncated)?;
        let name_bytes = self.archive.get(name_start..name_end).ok_or(truncated)?;
        let name = match name_bytes.split_last() {
            Some((0, name)) if !name.is_empty() => {
                core::str::from_utf8(name).map_err(|_| CpioError::BadName { offset: at })?
            }
            _ => return Err(CpioError::BadName { offset: at }),
        };
        let data_start = align4(name_end).ok_or(truncated)?;
        let data_end = data_start.checked_add(file_size).ok_or(truncated)?;
        let data = self.archive.get(data_start..data_end).ok_or(truncated)?;
        Ok(Member {
            name,
            mode,
            data,
            next: align4(data_end).ok_or(truncated)?,
        })
    }
}

impl<'a> Iterator for Entries<'a> {
    type Item = Result<File<'a>, CpioError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        if self.archive.is_empty() {
            self.done = true;
            return Some(Err(CpioError::Empty));
        }
        loop {
            let member = match self.member(self.offset) {
                Ok(m) => m,
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            };
            self.offset = member.next;
            if member.name == TRAILER {
                self.done = true;
                return None;
            }
            if member.mode & S_IFMT == S_IFREG {
                let name = member.name.strip_prefix("./").unwrap_or(member.name);
                return Some(Ok(File {
                    name,
                    data: member.data,
                }));
            }
        }
    }
}

fn align4(n: usize) -> Option<usize> {
    n.checked_next_multiple_of(4)
}

#[cfg(test)]
mod tests;

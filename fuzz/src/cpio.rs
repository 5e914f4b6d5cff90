//! `cpio`: the initrd's archive reader, on any bytes.
//!
//! Every file it yields must be a slice of the archive, and the walk must
//! end: each member takes at least a header, so there can be no more files
//! than headers fit.

use kernel_common::cpio;

/// Bytes of a newc header.
const HEADER_LEN: usize = 110;

pub(crate) fn run(data: &[u8]) {
    let mut members = 0;
    for entry in cpio::files(data) {
        members += 1;
        assert!(
            members <= data.len() / HEADER_LEN + 1,
            "more files than headers fit"
        );
        match entry {
            Ok(file) => {
                let (f, a) = (file.data.as_ptr_range(), data.as_ptr_range());
                assert!(
                    file.data.is_empty() || (a.start <= f.start && f.end <= a.end),
                    "{}'s bytes are not in the archive",
                    file.name
                );
            }
            Err(why) => drop(why.to_string()),
        }
    }
}

//! `pvh`: the PVH memory map, on any bytes.
//!
//! The RAM it gives the x86_64 kernel's frames must start where asked
//! (the end of the image, 4 MiB), not run backwards, and end within the
//! direct map (4 GiB).

use kernel_common::pvh::ram;

const START: u64 = 4 << 20;
const LIMIT: u64 = 1 << 32;

pub(crate) fn run(data: &[u8]) {
    if let Some(r) = ram(data, START, LIMIT) {
        assert_eq!(r.start, START);
        assert!(
            r.start < r.end && r.end <= LIMIT,
            "RAM {r:x?} is out of bounds"
        );
    }
}

//! `elf`: the ELF loader, on any bytes, for each of the three user targets.
//!
//! An accepted file must keep every promise `Elf::parse` makes: segment
//! bytes inside the file and no longer than the segment, whole pages inside
//! user memory and clear of the kernel, no two segments overlapping, and
//! the entry point in an executable segment. `load` must hand the mapper
//! exactly those segments.

use std::ops::Range;

use kernel_common::elf::{Elf, Limits, MapError, Mapper, PAGE_SIZE, Segment, Target};

/// The user half the kernels give programs, above the null guard page.
pub(crate) const USER: Range<u64> = 0x1000..0x0000_8000_0000_0000;
/// A kernel image and its devices, as the RISC-V kernel forbids them.
pub(crate) const FORBIDDEN: [Range<u64>; 2] = [0x0200_0000..0x1000_0000, 0x8000_0000..0x8800_0000];

/// The limits every target checks against.
pub(crate) fn limits() -> Limits<'static> {
    Limits {
        user: USER,
        forbidden: &FORBIDDEN,
    }
}

pub(crate) fn run(data: &[u8]) {
    for target in [Target::RISCV64, Target::RISCV32, Target::X86_64] {
        match Elf::parse(data, target, &limits()) {
            Ok(elf) => check_accepted(data, &elf),
            Err(why) => drop(why.to_string()),
        }
    }
}

/// Check the promises of an accepted file.
pub(crate) fn check_accepted(file: &[u8], elf: &Elf<'_>) {
    let segments: Vec<Segment<'_>> = elf.segments().collect();
    assert!(!segments.is_empty(), "accepted with no loadable segment");
    for (i, seg) in segments.iter().enumerate() {
        assert!(
            inside(seg.data, file),
            "segment {i}'s bytes are not in the file"
        );
        assert!(
            seg.data.len() as u64 <= seg.mem_size,
            "segment {i}: filesz > memsz"
        );
        let pages = seg.pages(PAGE_SIZE);
        assert!(
            USER.start <= pages.start && pages.end <= USER.end,
            "segment {i} ({pages:x?}) leaves user memory"
        );
        for k in &FORBIDDEN {
            assert!(
                pages.end <= k.start || k.end <= pages.start,
                "segment {i} touches {k:x?}"
            );
        }
        for (j, other) in segments[..i].iter().enumerate() {
            let (a, b) = (seg.range(), other.range());
            assert!(
                a.end <= b.start || b.end <= a.start,
                "segments {j} and {i} overlap"
            );
        }
    }
    let image = elf.image();
    assert!(
        segments
            .iter()
            .any(|s| s.flags.execute && s.range().contains(&image.entry)),
        "entry {:#x} is not in an executable segment",
        image.entry
    );
    let mut mapper = Recorder(Vec::new());
    assert_eq!(elf.load(&mut mapper), Ok(image));
    let checked: Vec<Mapped> = segments.iter().map(Mapped::from).collect();
    assert_eq!(
        mapper.0, checked,
        "load mapped other segments than parse checked"
    );
}

/// Does `part` lie inside `whole`?
fn inside(part: &[u8], whole: &[u8]) -> bool {
    let (p, w) = (part.as_ptr_range(), whole.as_ptr_range());
    part.is_empty() || (w.start <= p.start && p.end <= w.end)
}

/// What a mapper was asked to map: addresses, file bytes, permissions.
#[derive(Debug, PartialEq)]
struct Mapped(Range<u64>, Vec<u8>, (bool, bool, bool));

impl From<&Segment<'_>> for Mapped {
    fn from(s: &Segment<'_>) -> Mapped {
        let f = s.flags;
        Mapped(s.range(), s.data.to_vec(), (f.read, f.write, f.execute))
    }
}

/// A mapper that only remembers what it was asked to map.
struct Recorder(Vec<Mapped>);

impl Mapper for Recorder {
    fn map(&mut self, segment: &Segment<'_>) -> Result<(), MapError> {
        self.0.push(Mapped::from(segment));
        Ok(())
    }
}

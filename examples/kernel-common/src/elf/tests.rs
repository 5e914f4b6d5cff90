use std::string::ToString;
use std::vec::Vec;

use super::*;
use crate::testing::{RW, RX, elf_file};

const KERNEL: Range<u64> = 0x8020_0000..0x8040_0000;
const LIMITS: Limits<'static> = Limits {
    user: 0x1000..0x40_0000_0000,
    forbidden: &[KERNEL],
};

fn hello(class: Class, machine: u16, base: u64) -> Vec<u8> {
    elf_file(
        class,
        machine,
        base,
        &[(base, b"code", 4, RX), (base + 0x1000, b"da", 0x20, RW)],
    )
}

#[derive(Default)]
struct Recorder(Vec<(u64, u64, Vec<u8>, Flags)>);

impl Mapper for Recorder {
    fn map(&mut self, s: &Segment<'_>) -> Result<(), MapError> {
        self.0.push((s.vaddr, s.mem_size, s.data.to_vec(), s.flags));
        Ok(())
    }
}

#[test]
fn a_good_riscv64_executable_loads_every_segment_with_its_flags() {
    let file = hello(Class::Elf64, Target::EM_RISCV, 0x10000);
    let elf = Elf::parse(&file, Target::RISCV64, &LIMITS).unwrap();
    let mut rec = Recorder::default();
    let image = elf.load(&mut rec).unwrap();
    assert_eq!(image.entry, 0x10000);
    assert_eq!(image.end, 0x11020);
    assert_eq!((image.phent, image.phnum), (56, 2));
    let rx = Flags {
        read: true,
        write: false,
        execute: true,
    };
    let rw = Flags {
        read: true,
        write: true,
        execute: false,
    };
    assert_eq!(rec.0[0], (0x10000, 4, b"code".to_vec(), rx));
    assert_eq!(rec.0[1], (0x11000, 0x20, b"da".to_vec(), rw));
}

#[test]
fn a_good_riscv32_executable_loads_as_elf32() {
    let file = hello(Class::Elf32, Target::EM_RISCV, 0x10000);
    let elf = Elf::parse(&file, Target::RISCV32, &LIMITS).unwrap();
    let mut rec = Recorder::default();
    assert_eq!(elf.load(&mut rec).unwrap().phent, 32);
    assert_eq!(rec.0.len(), 2);
}

#[test]
fn a_good_x86_64_executable_at_0x400000_loads() {
    let file = hello(Class::Elf64, Target::EM_X86_64, 0x40_0000);
    assert!(Elf::parse(&file, Target::X86_64, &LIMITS).is_ok());
}

#[test]
fn bad_magic_is_refused() {
    let mut file = hello(Class::Elf64, Target::EM_RISCV, 0x10000);
    file[1] = b'X';
    assert_eq!(
        Elf::parse(&file, Target::RISCV64, &LIMITS).unwrap_err(),
        ElfError::BadMagic
    );
    assert_eq!(
        Elf::parse(b"#!/bin/sh", Target::RISCV64, &LIMITS).unwrap_err(),
        ElfError::BadMagic
    );
    assert_eq!(
        ElfError::BadMagic.to_string(),
        "not an ELF file (bad magic)"
    );
}

#[test]
fn a_program_for_another_machine_or_class_is_refused() {
    let file = hello(Class::Elf64, Target::EM_X86_64, 0x40_0000);
    let err = Elf::parse(&file, Target::RISCV64, &LIMITS).unwrap_err();
    assert_eq!(
        err,
        ElfError::WrongMachine {
            found: 62,
            expected: 243
        }
    );
    assert_eq!(err.to_string(), "wrong machine 62 (need 243)");
    let file = hello(Class::Elf64, Target::EM_RISCV, 0x10000);
    let err = Elf::parse(&file, Target::RISCV32, &LIMITS).unwrap_err();
    assert_eq!(err.to_string(), "wrong ELF class (need ELF32)");
}

#[test]
fn a_pie_is_refused_as_not_static() {
    let mut file = hello(Class::Elf64, Target::EM_RISCV, 0x10000);
    file[16] = 3; // ET_DYN
    let err = Elf::parse(&file, Target::RISCV64, &LIMITS).unwrap_err();
    assert_eq!(err, ElfError::NotExecutable { found: 3 });
    assert!(err.to_string().contains("PIE"));
}

#[test]
fn a_segment_overlapping_the_kernel_is_refused() {
    let file = elf_file(
        Class::Elf64,
        Target::EM_RISCV,
        0x8030_0000,
        &[(0x8030_0000, b"evil", 4, RX)],
    );
    let err = Elf::parse(&file, Target::RISCV64, &LIMITS).unwrap_err();
    assert_eq!(
        err,
        ElfError::OverlapsKernel {
            start: 0x8030_0000,
            end: 0x8030_0004
        }
    );
    assert_eq!(
        err.to_string(),
        "segment 0x80300000..0x80300004 overlaps the kernel"
    );
}

/// A forbidden range that ends inside a page.
const UNALIGNED: Range<u64> = 0x8020_0000..0x8020_0010;

#[test]
fn a_segment_sharing_a_page_with_the_kernel_is_refused() {
    let limits = Limits {
        forbidden: &[UNALIGNED],
        ..LIMITS
    };
    let at = 0x8020_0ff0;
    let file = elf_file(Class::Elf64, Target::EM_RISCV, at, &[(at, b"y", 4, RX)]);
    let err = Elf::parse(&file, Target::RISCV64, &limits).unwrap_err();
    assert_eq!(
        err,
        ElfError::OverlapsKernel {
            start: at,
            end: at + 4
        }
    );
    let below = KERNEL.start - 8;
    let file = elf_file(
        Class::Elf64,
        Target::EM_RISCV,
        below,
        &[(below, b"x", 4, RX)],
    );
    assert!(
        Elf::parse(&file, Target::RISCV64, &LIMITS).is_ok(),
        "the page below the kernel is fine"
    );
}

#[test]
fn a_segment_reaching_the_last_page_of_the_address_space_is_refused() {
    let top = u64::MAX - 0x100;
    let limits = Limits {
        user: 0x1000..u64::MAX,
        forbidden: &[],
    };
    let file = elf_file(
        Class::Elf64,
        Target::EM_RISCV,
        top,
        &[(top, b"z", 0x10, RX)],
    );
    let err = Elf::parse(&file, Target::RISCV64, &limits).unwrap_err();
    assert_eq!(err, ElfError::AddressWraps { vaddr: top });
}

#[test]
fn a_segment_outside_user_memory_or_wrapping_is_refused() {
    let file = elf_file(Class::Elf64, Target::EM_RISCV, 0, &[(0, b"null", 4, RX)]);
    let err = Elf::parse(&file, Target::RISCV64, &LIMITS).unwrap_err();
    assert_eq!(err, ElfError::OutsideUserMemory { start: 0, end: 4 });
    let file = elf_file(
        Class::Elf64,
        Target::EM_RISCV,
        0x10000,
        &[(u64::MAX - 1, b"", 8, RX)],
    );
    let err = Elf::parse(&file, Target::RISCV64, &LIMITS).unwrap_err();
    assert_eq!(
        err,
        ElfError::AddressWraps {
            vaddr: u64::MAX - 1
        }
    );
}

#[test]
fn a_truncated_file_is_refused() {
    let file = hello(Class::Elf64, Target::EM_RISCV, 0x10000);
    assert_eq!(
        Elf::parse(&file[..10], Target::RISCV64, &LIMITS).unwrap_err(),
        ElfError::Truncated
    );
    assert_eq!(
        Elf::parse(&file[..40], Target::RISCV64, &LIMITS).unwrap_err(),
        ElfError::Truncated
    );
    assert_eq!(
        Elf::parse(&file[..100], Target::RISCV64, &LIMITS).unwrap_err(),
        ElfError::Truncated
    );
    let cut = &file[..file.len() - 1];
    let err = Elf::parse(cut, Target::RISCV64, &LIMITS).unwrap_err();
    assert_eq!(err, ElfError::SegmentOutsideFile { vaddr: 0x11000 });
}

#[test]
fn filesz_larger_than_memsz_is_refused() {
    let file = elf_file(
        Class::Elf64,
        Target::EM_RISCV,
        0x10000,
        &[(0x10000, b"code", 2, RX)],
    );
    let err = Elf::parse(&file, Target::RISCV64, &LIMITS).unwrap_err();
    assert_eq!(err, ElfError::FileSizeExceedsMemSize { vaddr: 0x10000 });
}

#[test]
fn overlapping_segments_are_refused_but_sharing_a_page_is_fine() {
    let segs = [
        (0x10000, &b"code"[..], 0x100, RX),
        (0x10080, &b"data"[..], 4, RW),
    ];
    let file = elf_file(Class::Elf64, Target::EM_RISCV, 0x10000, &segs);
    let err = Elf::parse(&file, Target::RISCV64, &LIMITS).unwrap_err();
    assert_eq!(err, ElfError::SegmentsOverlap { vaddr: 0x10080 });

    let segs = [
        (0x10000, &b"code"[..], 0x100, RX),
        (0x10100, &b"data"[..], 4, RW),
    ];
    let file = elf_file(Class::Elf64, Target::EM_RISCV, 0x10000, &segs);
    let elf = Elf::parse(&file, Target::RISCV64, &LIMITS).unwrap();
    let pages: Vec<_> = elf.segments().map(|s| s.pages(0x1000)).collect();
    assert_eq!(pages, [0x10000..0x11000, 0x10000..0x11000]);
}

#[test]
fn an_entry_point_outside_executable_code_is_refused() {
    let file = hello(Class::Elf64, Target::EM_RISCV, 0x10000);
    let mut moved = file.clone();
    moved[24..32].copy_from_slice(&0x11000u64.to_le_bytes()); // into the data segment
    let err = Elf::parse(&moved, Target::RISCV64, &LIMITS).unwrap_err();
    assert_eq!(err, ElfError::EntryOutsideCode { entry: 0x11000 });
}

#[test]
fn a_file_without_loadable_segments_is_refused() {
    let file = elf_file(Class::Elf64, Target::EM_RISCV, 0x10000, &[]);
    let err = Elf::parse(&file, Target::RISCV64, &LIMITS).unwrap_err();
    assert_eq!(err, ElfError::NoLoadableSegment);
}

#[test]
fn a_mapper_failure_is_reported() {
    struct Full;
    impl Mapper for Full {
        fn map(&mut self, _: &Segment<'_>) -> Result<(), MapError> {
            Err(MapError::OutOfMemory)
        }
    }
    let file = hello(Class::Elf64, Target::EM_RISCV, 0x10000);
    let elf = Elf::parse(&file, Target::RISCV64, &LIMITS).unwrap();
    let err = elf.load(&mut Full).unwrap_err();
    assert_eq!(err.to_string(), "out of memory");
}

#[test]
fn empty_load_segments_are_checked_but_not_mapped() {
    let segs = [(0x10000, &b"code"[..], 4, RX), (0x20000, &b""[..], 0, RW)];
    let mut file = elf_file(Class::Elf64, Target::EM_RISCV, 0x10000, &segs);
    let elf = Elf::parse(&file, Target::RISCV64, &LIMITS).unwrap();
    assert_eq!(elf.segments().count(), 1);

    let second = 64 + 56;
    file[second + 8..second + 16].copy_from_slice(&u64::MAX.to_le_bytes()); // p_offset
    let err = Elf::parse(&file, Target::RISCV64, &LIMITS).unwrap_err();
    assert_eq!(err, ElfError::SegmentOutsideFile { vaddr: 0x20000 });
    file[second + 32..second + 40].copy_from_slice(&u64::MAX.to_le_bytes()); // p_filesz
    let err = Elf::parse(&file, Target::RISCV64, &LIMITS).unwrap_err();
    assert_eq!(err, ElfError::FileSizeExceedsMemSize { vaddr: 0x20000 });
}

#[test]
fn no_single_byte_corruption_makes_the_loader_panic() {
    for class in [Class::Elf64, Class::Elf32] {
        let target = Target {
            class,
            machine: Target::EM_RISCV,
        };
        let good = hello(class, Target::EM_RISCV, 0x10000);
        for at in 0..good.len() {
            for value in [0x00, 0x01, 0x7f, 0x80, 0xff] {
                let mut file = good.clone();
                file[at] = value;
                if let Ok(elf) = Elf::parse(&file, target, &LIMITS) {
                    let _ = elf.load(&mut Recorder::default());
                }
            }
        }
    }
}

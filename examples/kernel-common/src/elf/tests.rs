use std::string::ToString;
use std::vec::Vec;

use super::*;

const KERNEL: Range<u64> = 0x8020_0000..0x8040_0000;
const LIMITS: Limits<'static> = Limits { user: 0x1000..0x40_0000_0000, forbidden: &[KERNEL] };
const RX: u32 = 5;
const RW: u32 = 6;

/// One segment of a hand-built executable: (vaddr, file bytes, memsz, flags).
type Seg<'a> = (u64, &'a [u8], u64, u32);

/// A minimal ELF executable: header, program headers, then segment bytes.
fn build(class: Class, machine: u16, entry: u64, segs: &[Seg<'_>]) -> Vec<u8> {
    let (eh, ph) = match class {
        Class::Elf32 => (52u64, 32u64),
        Class::Elf64 => (64, 56),
    };
    let word = |out: &mut Vec<u8>, v: u64| match class {
        Class::Elf32 => out.extend_from_slice(&(v as u32).to_le_bytes()),
        Class::Elf64 => out.extend_from_slice(&v.to_le_bytes()),
    };
    let mut out = Vec::new();
    out.extend_from_slice(b"\x7fELF");
    out.extend_from_slice(&[if class == Class::Elf32 { 1 } else { 2 }, 1, 1]);
    out.resize(16, 0);
    out.extend_from_slice(&2u16.to_le_bytes()); // ET_EXEC
    out.extend_from_slice(&machine.to_le_bytes());
    out.extend_from_slice(&1u32.to_le_bytes());
    word(&mut out, entry);
    word(&mut out, eh); // e_phoff
    word(&mut out, 0); // e_shoff
    out.extend_from_slice(&0u32.to_le_bytes()); // e_flags
    out.extend_from_slice(&(eh as u16).to_le_bytes());
    out.extend_from_slice(&(ph as u16).to_le_bytes());
    out.extend_from_slice(&(segs.len() as u16).to_le_bytes());
    out.extend_from_slice(&[0; 6]);
    assert_eq!(out.len() as u64, eh);
    let mut offset = eh + ph * segs.len() as u64;
    for &(vaddr, data, memsz, flags) in segs {
        out.extend_from_slice(&1u32.to_le_bytes()); // PT_LOAD
        match class {
            Class::Elf32 => {
                for v in [offset, vaddr, vaddr, data.len() as u64, memsz] {
                    word(&mut out, v);
                }
                out.extend_from_slice(&flags.to_le_bytes());
                word(&mut out, 0x1000);
            }
            Class::Elf64 => {
                out.extend_from_slice(&flags.to_le_bytes());
                for v in [offset, vaddr, vaddr, data.len() as u64, memsz, 0x1000] {
                    word(&mut out, v);
                }
            }
        }
        offset += data.len() as u64;
    }
    for &(_, data, _, _) in segs {
        out.extend_from_slice(data);
    }
    out
}

fn hello(class: Class, machine: u16, base: u64) -> Vec<u8> {
    build(class, machine, base, &[(base, b"code", 4, RX), (base + 0x1000, b"da", 0x20, RW)])
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
    let rx = Flags { read: true, write: false, execute: true };
    let rw = Flags { read: true, write: true, execute: false };
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
    assert_eq!(Elf::parse(&file, Target::RISCV64, &LIMITS).unwrap_err(), ElfError::BadMagic);
    assert_eq!(Elf::parse(b"#!/bin/sh", Target::RISCV64, &LIMITS).unwrap_err(), ElfError::BadMagic);
    assert_eq!(ElfError::BadMagic.to_string(), "not an ELF file (bad magic)");
}

#[test]
fn a_program_for_another_machine_or_class_is_refused() {
    let file = hello(Class::Elf64, Target::EM_X86_64, 0x40_0000);
    let err = Elf::parse(&file, Target::RISCV64, &LIMITS).unwrap_err();
    assert_eq!(err, ElfError::WrongMachine { found: 62, expected: 243 });
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
    let file = build(Class::Elf64, Target::EM_RISCV, 0x8030_0000, &[(0x8030_0000, b"evil", 4, RX)]);
    let err = Elf::parse(&file, Target::RISCV64, &LIMITS).unwrap_err();
    assert_eq!(err, ElfError::OverlapsKernel { start: 0x8030_0000, end: 0x8030_0004 });
    assert_eq!(err.to_string(), "segment 0x80300000..0x80300004 overlaps the kernel");
}

#[test]
fn a_segment_outside_user_memory_or_wrapping_is_refused() {
    let file = build(Class::Elf64, Target::EM_RISCV, 0, &[(0, b"null", 4, RX)]);
    let err = Elf::parse(&file, Target::RISCV64, &LIMITS).unwrap_err();
    assert_eq!(err, ElfError::OutsideUserMemory { start: 0, end: 4 });
    let file = build(Class::Elf64, Target::EM_RISCV, 0x10000, &[(u64::MAX - 1, b"", 8, RX)]);
    let err = Elf::parse(&file, Target::RISCV64, &LIMITS).unwrap_err();
    assert_eq!(err, ElfError::AddressWraps { vaddr: u64::MAX - 1 });
}

#[test]
fn a_truncated_file_is_refused() {
    let file = hello(Class::Elf64, Target::EM_RISCV, 0x10000);
    assert_eq!(Elf::parse(&file[..10], Target::RISCV64, &LIMITS).unwrap_err(), ElfError::Truncated);
    assert_eq!(Elf::parse(&file[..40], Target::RISCV64, &LIMITS).unwrap_err(), ElfError::Truncated);
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
    let file = build(Class::Elf64, Target::EM_RISCV, 0x10000, &[(0x10000, b"code", 2, RX)]);
    let err = Elf::parse(&file, Target::RISCV64, &LIMITS).unwrap_err();
    assert_eq!(err, ElfError::FileSizeExceedsMemSize { vaddr: 0x10000 });
}

#[test]
fn overlapping_segments_are_refused_but_sharing_a_page_is_fine() {
    let segs = [(0x10000, &b"code"[..], 0x100, RX), (0x10080, &b"data"[..], 4, RW)];
    let file = build(Class::Elf64, Target::EM_RISCV, 0x10000, &segs);
    let err = Elf::parse(&file, Target::RISCV64, &LIMITS).unwrap_err();
    assert_eq!(err, ElfError::SegmentsOverlap { vaddr: 0x10080 });

    let segs = [(0x10000, &b"code"[..], 0x100, RX), (0x10100, &b"data"[..], 4, RW)];
    let file = build(Class::Elf64, Target::EM_RISCV, 0x10000, &segs);
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
    let file = build(Class::Elf64, Target::EM_RISCV, 0x10000, &[]);
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

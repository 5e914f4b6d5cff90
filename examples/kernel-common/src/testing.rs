//! Hand-built ELF files and cpio archives for the tests.

use std::format;
use std::vec::Vec;

use crate::elf::Class;

/// `p_flags` of a code segment.
pub const RX: u32 = 5;
/// `p_flags` of a data segment.
pub const RW: u32 = 6;
/// `c_mode` of a directory.
pub const DIR: u32 = 0o040_755;
/// `c_mode` of a regular file.
pub const REG: u32 = 0o100_644;
/// The name of the last member.
pub const TRAILER: &str = "TRAILER!!!";

/// One segment of a hand-built executable: (vaddr, file bytes, memsz, flags).
pub type Seg<'a> = (u64, &'a [u8], u64, u32);

/// A minimal ELF executable: header, program headers, then segment bytes.
pub fn elf_file(class: Class, machine: u16, entry: u64, segs: &[Seg<'_>]) -> Vec<u8> {
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

/// Append one newc member, padded as `cpio -H newc` pads it.
pub fn member(out: &mut Vec<u8>, name: &str, mode: u32, data: &[u8]) {
    let fields = [
        1,
        mode,
        0,
        0,
        1,
        0,
        data.len() as u32,
        0,
        0,
        0,
        0,
        name.len() as u32 + 1,
        0,
    ];
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

pub fn archive(files: &[(&str, u32, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, mode, data) in files {
        member(&mut out, name, *mode, data);
    }
    member(&mut out, TRAILER, 0, &[]);
    out.resize(out.len().next_multiple_of(512), 0);
    out
}

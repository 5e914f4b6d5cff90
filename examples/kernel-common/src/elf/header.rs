//! The two ELF headers, read field by field from little-endian bytes.
//!
//! ```text
//!   file header            ELF32 off  ELF64 off     program header  ELF32  ELF64
//!   e_ident[16]                0          0         p_type            0      0
//!   e_type     u16            16         16         p_flags          24      4
//!   e_machine  u16            18         18         p_offset          4      8
//!   e_version  u32            20         20         p_vaddr           8     16
//!   e_entry    word           24         24         p_filesz         16     32
//!   e_phoff    word           28         32         p_memsz          20     40
//!   e_phentsize u16           42         54         (size)           32     56
//!   e_phnum    u16            44         56
//!   (size)                    52         64
//! ```

use core::fmt;

use super::{ET_EXEC, ElfError};

/// ELF32 or ELF64 (`EI_CLASS`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// `ELFCLASS32`: riscv32.
    Elf32,
    /// `ELFCLASS64`: riscv64, x86_64.
    Elf64,
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Class::Elf32 => "ELF32",
            Class::Elf64 => "ELF64",
        })
    }
}

/// The kind of executable a kernel runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Target {
    /// The class.
    pub class: Class,
    /// `e_machine`.
    pub machine: u16,
}

impl Target {
    /// `EM_RISCV`.
    pub const EM_RISCV: u16 = 243;
    /// `EM_X86_64`.
    pub const EM_X86_64: u16 = 62;
    /// `EM_AARCH64`.
    pub const EM_AARCH64: u16 = 183;
    /// riscv64 programs.
    pub const RISCV64: Target = Target {
        class: Class::Elf64,
        machine: Target::EM_RISCV,
    };
    /// riscv32 programs.
    pub const RISCV32: Target = Target {
        class: Class::Elf32,
        machine: Target::EM_RISCV,
    };
    /// x86_64 programs.
    pub const X86_64: Target = Target {
        class: Class::Elf64,
        machine: Target::EM_X86_64,
    };
    /// aarch64 programs.
    pub const AARCH64: Target = Target {
        class: Class::Elf64,
        machine: Target::EM_AARCH64,
    };

    /// The target of programs for the CPU this code is compiled for, if it
    /// is one of the four.
    pub const fn native() -> Option<Target> {
        if cfg!(target_arch = "riscv64") {
            Some(Target::RISCV64)
        } else if cfg!(target_arch = "riscv32") {
            Some(Target::RISCV32)
        } else if cfg!(target_arch = "x86_64") {
            Some(Target::X86_64)
        } else if cfg!(target_arch = "aarch64") {
            Some(Target::AARCH64)
        } else {
            None
        }
    }
}

/// The file header fields the loader uses.
#[derive(Clone, Copy, Debug)]
pub(super) struct FileHeader {
    pub class: Class,
    pub entry: u64,
    pub phoff: u64,
    pub phent: u64,
    pub phnum: u64,
}

/// The program header fields the loader uses.
#[derive(Clone, Copy, Debug)]
pub(super) struct ProgramHeader {
    pub kind: u32,
    pub flags: u32,
    pub offset: u64,
    pub vaddr: u64,
    pub file_size: u64,
    pub mem_size: u64,
}

fn bytes<const N: usize>(file: &[u8], at: u64) -> Option<[u8; N]> {
    let at = usize::try_from(at).ok()?;
    file.get(at..at.checked_add(N)?)?.try_into().ok()
}

fn u16_at(file: &[u8], at: u64) -> Option<u64> {
    bytes(file, at).map(|b| u16::from_le_bytes(b).into())
}

fn u32_at(file: &[u8], at: u64) -> Option<u64> {
    bytes(file, at).map(|b| u32::from_le_bytes(b).into())
}

fn u64_at(file: &[u8], at: u64) -> Option<u64> {
    bytes(file, at).map(u64::from_le_bytes)
}

/// A word of the file's class.
fn word_at(file: &[u8], class: Class, at: u64) -> Option<u64> {
    match class {
        Class::Elf32 => u32_at(file, at),
        Class::Elf64 => u64_at(file, at),
    }
}

impl FileHeader {
    pub fn read(file: &[u8], target: Target) -> Result<FileHeader, ElfError> {
        let ident: [u8; 16] = bytes(file, 0).ok_or(match file.starts_with(b"\x7fELF") {
            true => ElfError::Truncated,
            false => ElfError::BadMagic,
        })?;
        if ident[..4] != *b"\x7fELF" {
            return Err(ElfError::BadMagic);
        }
        let class = match ident[4] {
            1 => Class::Elf32,
            2 => Class::Elf64,
            _ => {
                return Err(ElfError::WrongClass {
                    expected: target.class,
                });
            }
        };
        if class != target.class {
            return Err(ElfError::WrongClass {
                expected: target.class,
            });
        }
        if ident[5] != 1 {
            return Err(ElfError::NotLittleEndian);
        }
        if ident[6] != 1 {
            return Err(ElfError::BadVersion);
        }
        let (size, phoff_at, phent_at, phnum_at, ph_size) = match class {
            Class::Elf32 => (52, 28, 42, 44, 32),
            Class::Elf64 => (64, 32, 54, 56, 56),
        };
        if file.len() < size {
            return Err(ElfError::Truncated);
        }
        let t = ElfError::Truncated;
        let kind = u16_at(file, 16).ok_or(t)? as u16;
        let machine = u16_at(file, 18).ok_or(t)? as u16;
        if machine != target.machine {
            return Err(ElfError::WrongMachine {
                found: machine,
                expected: target.machine,
            });
        }
        if kind != ET_EXEC {
            return Err(ElfError::NotExecutable { found: kind });
        }
        if u32_at(file, 20) != Some(1) {
            return Err(ElfError::BadVersion);
        }
        let header = FileHeader {
            class,
            entry: word_at(file, class, 24).ok_or(t)?,
            phoff: word_at(file, class, phoff_at).ok_or(t)?,
            phent: u16_at(file, phent_at).ok_or(t)?,
            phnum: u16_at(file, phnum_at).ok_or(t)?,
        };
        let table_end = header
            .phent
            .checked_mul(header.phnum)
            .and_then(|n| n.checked_add(header.phoff));
        if header.phent != ph_size {
            return Err(ElfError::BadProgramHeaders);
        }
        match table_end {
            Some(end) if end <= file.len() as u64 => Ok(header),
            _ => Err(ElfError::Truncated),
        }
    }
}

impl ProgramHeader {
    /// Program header `index`; the table was checked to lie in the file.
    pub fn read(file: &[u8], h: &FileHeader, index: u64) -> Option<ProgramHeader> {
        let at = h.phoff + index * h.phent;
        let word = |off: u64| word_at(file, h.class, at + off);
        Some(match h.class {
            Class::Elf32 => ProgramHeader {
                kind: u32_at(file, at)? as u32,
                offset: word(4)?,
                vaddr: word(8)?,
                file_size: word(16)?,
                mem_size: word(20)?,
                flags: u32_at(file, at + 24)? as u32,
            },
            Class::Elf64 => ProgramHeader {
                kind: u32_at(file, at)? as u32,
                flags: u32_at(file, at + 4)? as u32,
                offset: word(8)?,
                vaddr: word(16)?,
                file_size: word(32)?,
                mem_size: word(40)?,
            },
        })
    }
}

//! Loading a static ELF executable (OSTEP Fig 6.1, "load program into
//! memory").
//!
//! [`Elf::parse`] checks the whole file before anything is mapped, so a
//! refused program leaves nothing behind: the identification (magic, class,
//! little-endian, version), the type (`ET_EXEC` only: no interpreter, no
//! PIE), the machine the caller runs, and every `PT_LOAD` segment:
//!
//! * its file bytes lie inside the file and `filesz <= memsz`;
//! * `vaddr + memsz`, rounded up to a page, does not wrap and stays inside
//!   the caller's user range;
//! * the pages it touches ([`PAGE_SIZE`]) do not overlap a forbidden range
//!   (the kernel image, MMIO), and its bytes do not overlap another segment;
//!
//! and the entry point lies in an executable segment. Then [`Elf::load`]
//! hands each segment to the caller's [`Mapper`], which owns page tables and
//! frames. Segments need not start on a page boundary, and two segments may
//! share a page (GNU ld does this for small programs): [`Segment::pages`]
//! gives the page-aligned span, and a mapper must merge the permissions of a
//! page it has already mapped.
//!
//! Both ELF64 (riscv64, x86_64) and ELF32 (riscv32) are read; values are
//! widened to `u64`.

mod header;

use core::fmt;
use core::ops::Range;

pub use header::{Class, Target};
use header::{FileHeader, ProgramHeader};

/// The page size placement is checked with (both example kernels use 4 KiB
/// pages): a segment's pages, not just its bytes, must be allowed.
pub const PAGE_SIZE: u64 = 4096;

const ET_EXEC: u16 = 2;
const ET_DYN: u16 = 3;
const PT_LOAD: u32 = 1;
const PT_INTERP: u32 = 3;
const PT_PHDR: u32 = 6;

/// Segment permissions (`p_flags`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flags {
    /// Readable (`PF_R`).
    pub read: bool,
    /// Writable (`PF_W`).
    pub write: bool,
    /// Executable (`PF_X`).
    pub execute: bool,
}

impl Flags {
    fn from_bits(bits: u32) -> Flags {
        Flags {
            read: bits & 4 != 0,
            write: bits & 2 != 0,
            execute: bits & 1 != 0,
        }
    }
}

/// One `PT_LOAD` segment, checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment<'a> {
    /// The first virtual address (not necessarily page-aligned).
    pub vaddr: u64,
    /// Bytes in memory: `data`, then zeros up to this size.
    pub mem_size: u64,
    /// The bytes from the file (`filesz` of them).
    pub data: &'a [u8],
    /// Permissions.
    pub flags: Flags,
}

impl Segment<'_> {
    /// The virtual addresses the segment occupies.
    pub fn range(&self) -> Range<u64> {
        self.vaddr..self.vaddr + self.mem_size
    }

    /// The page-aligned span of pages it touches (`page_size` a power of two).
    pub fn pages(&self, page_size: u64) -> Range<u64> {
        let r = self.range();
        r.start & !(page_size - 1)..r.end.next_multiple_of(page_size)
    }
}

/// Where a program may live, as the kernel sees it.
#[derive(Clone, Debug)]
pub struct Limits<'a> {
    /// Every loaded byte must lie inside this range (the user half of the
    /// address space, above the null guard).
    pub user: Range<u64>,
    /// Ranges no segment may touch (the kernel image, devices).
    pub forbidden: &'a [Range<u64>],
}

/// A mapper could not map a segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MapError {
    /// No free frame or page-table page was left.
    OutOfMemory,
    /// The mapper refused for a reason of its own.
    Refused(&'static str),
}

/// What maps a program's segments into its address space.
pub trait Mapper {
    /// Map `segment`: allocate its pages, copy `data`, zero the rest up to
    /// `mem_size`, and give the pages `flags` (merged with any permissions a
    /// shared page already has).
    fn map(&mut self, segment: &Segment<'_>) -> Result<(), MapError>;
}

/// Why an ELF file was refused. Its [`Display`](fmt::Display) says so in a
/// few words, for `[initrd NAME] refused: <why>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ElfError {
    /// Shorter than its headers say it is.
    Truncated,
    /// Not `\x7fELF`.
    BadMagic,
    /// ELF32 where ELF64 is needed, or the reverse.
    WrongClass {
        /// What the kernel runs.
        expected: Class,
    },
    /// Big-endian or unknown data encoding.
    NotLittleEndian,
    /// `EI_VERSION`/`e_version` is not 1.
    BadVersion,
    /// Built for another machine.
    WrongMachine {
        /// `e_machine` in the file.
        found: u16,
        /// The machine the kernel runs.
        expected: u16,
    },
    /// Not `ET_EXEC` (a PIE, shared object, relocatable or core file).
    NotExecutable {
        /// `e_type` in the file.
        found: u16,
    },
    /// Asks for a dynamic loader (`PT_INTERP`).
    NeedsInterpreter,
    /// The program header table has the wrong entry size or lies outside
    /// the file.
    BadProgramHeaders,
    /// No `PT_LOAD` segment.
    NoLoadableSegment,
    /// A segment's `filesz` exceeds its `memsz`.
    FileSizeExceedsMemSize {
        /// The segment's address.
        vaddr: u64,
    },
    /// A segment's file bytes run past the end of the file.
    SegmentOutsideFile {
        /// The segment's address.
        vaddr: u64,
    },
    /// `vaddr + memsz` wraps around the address space.
    AddressWraps {
        /// The segment's address.
        vaddr: u64,
    },
    /// A segment lies (partly) outside user memory.
    OutsideUserMemory {
        /// The segment's addresses.
        start: u64,
        /// Its exclusive end.
        end: u64,
    },
    /// A segment overlaps a forbidden (kernel) range.
    OverlapsKernel {
        /// The segment's addresses.
        start: u64,
        /// Its exclusive end.
        end: u64,
    },
    /// Two segments overlap.
    SegmentsOverlap {
        /// The later segment's address.
        vaddr: u64,
    },
    /// The entry point is not inside an executable segment.
    EntryOutsideCode {
        /// The entry point.
        entry: u64,
    },
    /// The mapper failed.
    Map(MapError),
}

impl fmt::Display for ElfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ElfError::Truncated => f.write_str("truncated ELF file"),
            ElfError::BadMagic => f.write_str("not an ELF file (bad magic)"),
            ElfError::WrongClass { expected } => write!(f, "wrong ELF class (need {expected})"),
            ElfError::NotLittleEndian => f.write_str("not a little-endian ELF file"),
            ElfError::BadVersion => f.write_str("unknown ELF version"),
            ElfError::WrongMachine { found, expected } => {
                write!(f, "wrong machine {found} (need {expected})")
            }
            ElfError::NotExecutable { found: ET_DYN } => {
                f.write_str("not a static executable (ET_DYN: PIE or shared object)")
            }
            ElfError::NotExecutable { found } => {
                write!(f, "not an executable (e_type {found})")
            }
            ElfError::NeedsInterpreter => f.write_str("dynamically linked (has PT_INTERP)"),
            ElfError::BadProgramHeaders => f.write_str("bad program header table"),
            ElfError::NoLoadableSegment => f.write_str("no loadable segment"),
            ElfError::FileSizeExceedsMemSize { vaddr } => {
                write!(f, "segment at {vaddr:#x} has filesz > memsz")
            }
            ElfError::SegmentOutsideFile { vaddr } => {
                write!(f, "segment at {vaddr:#x} runs past the end of the file")
            }
            ElfError::AddressWraps { vaddr } => {
                write!(f, "segment at {vaddr:#x} wraps around the address space")
            }
            ElfError::OutsideUserMemory { start, end } => {
                write!(f, "segment {start:#x}..{end:#x} is outside user memory")
            }
            ElfError::OverlapsKernel { start, end } => {
                write!(f, "segment {start:#x}..{end:#x} overlaps the kernel")
            }
            ElfError::SegmentsOverlap { vaddr } => {
                write!(f, "segment at {vaddr:#x} overlaps another segment")
            }
            ElfError::EntryOutsideCode { entry } => {
                write!(f, "entry point {entry:#x} is not in an executable segment")
            }
            ElfError::Map(MapError::OutOfMemory) => f.write_str("out of memory"),
            ElfError::Map(MapError::Refused(why)) => f.write_str(why),
        }
    }
}

/// What the kernel needs after loading: where to start, and what to put in
/// the auxiliary vector.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Image {
    /// The entry point (`e_entry`, `AT_ENTRY`).
    pub entry: u64,
    /// Where the program headers are in memory (`AT_PHDR`), if loaded.
    pub phdr: Option<u64>,
    /// Size of one program header (`AT_PHENT`).
    pub phent: u64,
    /// Number of program headers (`AT_PHNUM`).
    pub phnum: u64,
    /// The end of the highest segment: where a heap could start.
    pub end: u64,
}

/// A checked static executable.
#[derive(Clone, Copy, Debug)]
pub struct Elf<'a> {
    file: &'a [u8],
    header: FileHeader,
}

impl<'a> Elf<'a> {
    /// Check `file` as a static executable for `target`, loadable inside
    /// `limits`.
    pub fn parse(file: &'a [u8], target: Target, limits: &Limits<'_>) -> Result<Elf<'a>, ElfError> {
        let header = FileHeader::read(file, target)?;
        let elf = Elf { file, header };
        let mut loads = 0;
        for ph in elf.program_headers() {
            match ph.kind {
                PT_INTERP => return Err(ElfError::NeedsInterpreter),
                PT_LOAD => {
                    let seg = elf.segment(&ph)?;
                    if seg.mem_size > 0 {
                        check_placement(&seg, limits)?;
                        elf.check_no_overlap(&seg, loads)?;
                        loads += 1;
                    }
                }
                _ => {}
            }
        }
        if loads == 0 {
            return Err(ElfError::NoLoadableSegment);
        }
        let entry = header.entry;
        if !elf
            .segments()
            .any(|s| s.flags.execute && s.range().contains(&entry))
        {
            return Err(ElfError::EntryOutsideCode { entry });
        }
        Ok(elf)
    }

    /// The loadable segments, in file order.
    pub fn segments(&self) -> impl Iterator<Item = Segment<'a>> + '_ {
        self.program_headers()
            .filter(|ph| ph.kind == PT_LOAD && ph.mem_size > 0)
            .filter_map(|ph| self.segment(&ph).ok())
    }

    /// What the stack builder and the spawn need.
    pub fn image(&self) -> Image {
        let h = &self.header;
        Image {
            entry: h.entry,
            phdr: self.phdr_address(),
            phent: h.phent,
            phnum: h.phnum,
            end: self.segments().map(|s| s.range().end).max().unwrap_or(0),
        }
    }

    /// Map every segment through `mapper`.
    pub fn load(&self, mapper: &mut impl Mapper) -> Result<Image, ElfError> {
        for seg in self.segments() {
            mapper.map(&seg).map_err(ElfError::Map)?;
        }
        Ok(self.image())
    }

    fn program_headers(&self) -> impl Iterator<Item = ProgramHeader> + '_ {
        let h = self.header;
        (0..h.phnum).filter_map(move |i| ProgramHeader::read(self.file, &h, i))
    }

    fn segment(&self, ph: &ProgramHeader) -> Result<Segment<'a>, ElfError> {
        let vaddr = ph.vaddr;
        if ph.file_size > ph.mem_size {
            return Err(ElfError::FileSizeExceedsMemSize { vaddr });
        }
        let data = ph
            .offset
            .checked_add(ph.file_size)
            .and_then(|end| {
                self.file
                    .get(usize::try_from(ph.offset).ok()?..usize::try_from(end).ok()?)
            })
            .ok_or(ElfError::SegmentOutsideFile { vaddr })?;
        if vaddr.checked_add(ph.mem_size).is_none() {
            return Err(ElfError::AddressWraps { vaddr });
        }
        Ok(Segment {
            vaddr,
            mem_size: ph.mem_size,
            data,
            flags: Flags::from_bits(ph.flags),
        })
    }

    /// Does `seg` overlap one of the first `count` loadable segments?
    fn check_no_overlap(&self, seg: &Segment<'_>, count: usize) -> Result<(), ElfError> {
        let r = seg.range();
        match self
            .segments()
            .take(count)
            .any(|s| overlaps(&s.range(), &r))
        {
            true => Err(ElfError::SegmentsOverlap { vaddr: seg.vaddr }),
            false => Ok(()),
        }
    }

    /// `PT_PHDR` if present, else where the table falls inside a segment.
    fn phdr_address(&self) -> Option<u64> {
        let h = &self.header;
        if let Some(ph) = self.program_headers().find(|ph| ph.kind == PT_PHDR) {
            return Some(ph.vaddr);
        }
        // The table's bounds were checked by FileHeader::read; a segment's
        // were not if it is empty, so its sums are checked here.
        let table = h.phoff..h.phoff + h.phent * h.phnum;
        self.program_headers()
            .filter(|ph| ph.kind == PT_LOAD && ph.offset <= table.start)
            .find(|ph| {
                ph.offset
                    .checked_add(ph.file_size)
                    .is_some_and(|end| table.end <= end)
            })
            .and_then(|ph| ph.vaddr.checked_add(table.start - ph.offset))
    }
}

/// Check the pages `seg` touches, since whole pages get mapped: a segment
/// that ends a byte before a forbidden range may still share its page.
fn check_placement(seg: &Segment<'_>, limits: &Limits<'_>) -> Result<(), ElfError> {
    let (start, end) = (seg.vaddr, seg.vaddr + seg.mem_size);
    let pages = match end.checked_next_multiple_of(PAGE_SIZE) {
        Some(page_end) => start & !(PAGE_SIZE - 1)..page_end,
        None => return Err(ElfError::AddressWraps { vaddr: start }),
    };
    if limits.forbidden.iter().any(|k| overlaps(k, &pages)) {
        return Err(ElfError::OverlapsKernel { start, end });
    }
    if pages.start < limits.user.start || pages.end > limits.user.end {
        return Err(ElfError::OutsideUserMemory { start, end });
    }
    Ok(())
}

fn overlaps(a: &Range<u64>, b: &Range<u64>) -> bool {
    a.start < b.end && b.start < a.end
}

#[cfg(test)]
mod tests;

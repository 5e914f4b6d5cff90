//! OSTEP Fig 6.1, "load program into memory; setup user stack with argv":
//! one process per ELF file of the initrd, in archive order.
//!
//! For each file: check it ([`Elf::parse`] refuses bad magic, the wrong
//! machine or class, truncation, and segments outside user space or over
//! the device pages), build a fresh address space, copy the segments into
//! new frames with the ELF's permissions plus U, map a 64 KiB user stack
//! right below [`USER_TOP`] and lay out argc/argv/envp/auxv on it as Linux
//! does, then hand entry, sp and satp to [`Kernel::spawn`]. A refused file
//! prints `[initrd NAME] refused: WHY` and the others still run.

use core::fmt;
use core::ops::Range;

use kernel_common::console::print;
use kernel_common::cpio;
use kernel_common::elf::{Elf, ElfError, Image, Limits, MapError, Mapper, Segment, Target};
use kernel_common::stack::{self, StackArgs, StackError, WordSize, WriteFault};
use ldex_core::sched::Hint;
use ldex_core::{Event, Os};

use crate::board::Uart;
use crate::frames::PAGE;
use crate::vm::{AddressSpace, DEVICE_PAGES, Perm, USER_BOTTOM, USER_STACK, USER_TOP, VmError};
use crate::KernelT;

/// Why one file did not become a process.
#[derive(Debug)]
enum LoadError {
    Elf(ElfError),
    Vm(VmError),
    Stack(StackError),
    Spawn(ldex_core::kernel::SpawnError),
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Elf(e) => write!(f, "{e}"),
            LoadError::Vm(VmError::OutOfMemory) => f.write_str("out of memory"),
            LoadError::Vm(VmError::KernelRange) => f.write_str("address in the kernel's range"),
            LoadError::Stack(e) => write!(f, "{e}"),
            LoadError::Spawn(e) => write!(f, "cannot create the process: {e:?}"),
        }
    }
}

/// What [`load_all`] found.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Files in the archive.
    pub files: usize,
    /// Processes created.
    pub spawned: usize,
}

/// Create one process per program in `initrd`.
pub fn load_all(initrd: &[u8], ram: &Range<usize>, kernel: &'static KernelT) -> Loaded {
    let mut loaded = Loaded::default();
    for file in cpio::files(initrd) {
        let file = match file {
            Ok(f) => f,
            Err(e) => {
                print(&Uart, format_args!("[initrd] {e}\n"));
                break;
            }
        };
        loaded.files += 1;
        let name = file.name.rsplit('/').next().unwrap_or(file.name);
        match load_one(name, file.data, ram, kernel) {
            Ok(()) => loaded.spawned += 1,
            Err(why) => print(&Uart, format_args!("[initrd {name}] refused: {why}\n")),
        }
    }
    loaded
}

fn load_one(name: &str, data: &[u8], ram: &Range<usize>, kernel: &'static KernelT) -> Result<(), LoadError> {
    let target = Target::native().expect("a RISC-V kernel has a native target");
    let limits = Limits {
        user: USER_BOTTOM as u64..(USER_TOP - USER_STACK) as u64,
        forbidden: &DEVICE_PAGES,
    };
    let elf = Elf::parse(data, target, &limits).map_err(LoadError::Elf)?;
    let space = AddressSpace::new(ram).map_err(LoadError::Vm)?;
    let image = elf.load(&mut SegmentMapper { space }).map_err(LoadError::Elf)?;
    let sp = build_stack(&space, name, &image)?;
    let pid = kernel
        .spawn(name, image.entry as usize, sp, Some(space.satp()), Hint::NONE)
        .map_err(LoadError::Spawn)?;
    kernel.os().trace(&Event::ProgramLoad { pid });
    Ok(())
}

fn build_stack(space: &AddressSpace, name: &str, image: &Image) -> Result<usize, LoadError> {
    let bottom = USER_TOP - USER_STACK;
    for page in (bottom..USER_TOP).step_by(PAGE) {
        space.map_user(page, Perm::W).map_err(LoadError::Vm)?;
    }
    let seed = ldex_arch_riscv::timer::now().wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let mut random = [0; 16];
    random[..8].copy_from_slice(&seed.to_le_bytes());
    random[8..].copy_from_slice(&seed.rotate_left(29).to_le_bytes());
    let args = StackArgs { argv: &[name], image, page_size: PAGE as u64, random };
    let sp = stack::build(bottom as u64..USER_TOP as u64, WordSize::NATIVE, &args, |addr, bytes| {
        copy_in(space, addr as usize, bytes).map_err(|_| WriteFault)
    })
    .map_err(LoadError::Stack)?;
    Ok(sp as usize)
}

/// Copy `bytes` to user address `va` of `space`, through the frames.
fn copy_in(space: &AddressSpace, va: usize, bytes: &[u8]) -> Result<(), VmError> {
    let mut done = 0;
    while done < bytes.len() {
        let at = va + done;
        let (pa, _) = space.translate(at).ok_or(VmError::KernelRange)?;
        let n = (PAGE - at % PAGE).min(bytes.len() - done);
        // SAFETY: `pa` is a frame this loader allocated for the new process
        // (identity-mapped RAM), and `n` stays inside its page.
        unsafe { core::ptr::copy_nonoverlapping(bytes[done..].as_ptr(), pa as *mut u8, n) };
        done += n;
    }
    Ok(())
}

/// Maps segments into one new address space.
struct SegmentMapper {
    space: AddressSpace,
}

impl Mapper for SegmentMapper {
    fn map(&mut self, segment: &Segment<'_>) -> Result<(), MapError> {
        let f = segment.flags;
        let mut perm = Perm::NONE;
        for (on, p) in [(f.read, Perm::R), (f.write, Perm::W), (f.execute, Perm::X)] {
            if on {
                perm = perm.union(p);
            }
        }
        let pages = segment.pages(PAGE as u64);
        for page in (pages.start..pages.end).step_by(PAGE) {
            self.space.map_user(page as usize, perm).map_err(|e| match e {
                VmError::OutOfMemory => MapError::OutOfMemory,
                VmError::KernelRange => MapError::Refused("address in the kernel's range"),
            })?;
        }
        copy_in(&self.space, segment.vaddr as usize, segment.data)
            .map_err(|_| MapError::Refused("segment not mapped"))
    }
}

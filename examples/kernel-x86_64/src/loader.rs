//! OSTEP Fig 6.1 on x86_64: the [`ProcessBuilder`] that
//! [`kernel_common::initrd::Queue`] drives.
//!
//! The queue checks each ELF file and orders the steps; this builder owns
//! the x86_64 parts: a fresh PML4 per program (kernel entries without U),
//! the segments copied into new frames (U, plus W and X where the ELF says),
//! a 64 KiB non-executable stack below [`STACK_TOP`], and `Kernel::spawn` with the CR3.

use core::ops::Range;

use kernel_common::elf::{Limits, MapError, Mapper, Segment, Target};
use kernel_common::initrd::{ProcessBuilder, Setup, SpawnError};
use kernel_common::stack::{WordSize, WriteFault};
use ldex_arch_x86_64::AddressSpace;

use crate::KERNEL;
use crate::memory::{self, PAGE, USER_START};

/// The top of every process's stack.
pub const STACK_TOP: u64 = 0x0000_7fff_ffff_0000;
/// The initial break: programs load below it, `brk` grows above it.
pub const HEAP_START: u64 = 0x10_0000_0000;
/// Where `mmap` looks for room, above the heap's 64 GiB.
pub const MMAP_START: u64 = 0x20_0000_0000;
/// The end of `mmap`'s room, well below the stack.
pub const MMAP_END: u64 = 0x7000_0000_0000;
/// Pages of user stack.
const STACK_PAGES: u64 = 16;
const STACK_BOTTOM: u64 = STACK_TOP - STACK_PAGES * PAGE;

/// Where programs may be loaded: from 4 MiB (below is the kernel image) to
/// the heap. `AT_HWCAP` is CPUID leaf 1's EDX, as Linux reports it.
pub fn setup() -> Setup<'static> {
    Setup {
        target: Target::X86_64,
        limits: Limits {
            user: USER_START..HEAP_START,
            forbidden: &[],
        },
        word: WordSize::Eight,
        page_size: PAGE,
        hwcap: hwcap(),
    }
}

/// CPUID leaf 1's EDX, Linux's `AT_HWCAP` on x86_64. `__cpuid` is still
/// `unsafe` on Rust 1.88 (the MSRV) and safe later, hence the `allow`.
#[allow(unused_unsafe)]
fn hwcap() -> u64 {
    // SAFETY: every x86_64 CPU has CPUID, and it only reads.
    u64::from(unsafe { core::arch::x86_64::__cpuid(1) }.edx)
}

/// A user address space being filled.
pub struct Space(AddressSpace);

impl Mapper for Space {
    fn map(&mut self, seg: &Segment<'_>) -> Result<(), MapError> {
        for page in seg.pages(PAGE).step_by(PAGE as usize) {
            memory::map_user_page(self.0, page, seg.flags.write, seg.flags.execute)
                .ok_or(MapError::OutOfMemory)?;
        }
        if memory::write_user(self.0, seg.vaddr, seg.data) {
            Ok(())
        } else {
            Err(MapError::Refused("segment bytes outside its pages"))
        }
    }
}

/// What a finished program becomes: a process (`Kernel::spawn`), or, for
/// the `arch-bench` harness, the one program it runs without the protocol.
pub type Spawn = fn(&str, u64, u64, AddressSpace) -> Result<(), SpawnError>;

/// Builds processes and hands each to its `spawn`.
pub struct Builder {
    /// Where a loaded program goes.
    pub spawn: Spawn,
}

impl Builder {
    /// Programs become processes of [`KERNEL`].
    pub fn kernel() -> Builder {
        Builder {
            spawn: spawn_process,
        }
    }
}

fn spawn_process(name: &str, entry: u64, sp: u64, space: AddressSpace) -> Result<(), SpawnError> {
    kernel_common::driver::spawn(&KERNEL, name, entry, sp, space)
}

impl ProcessBuilder for Builder {
    type Space = Space;

    fn new_space(&mut self) -> Result<Space, MapError> {
        memory::new_space().map(Space).ok_or(MapError::OutOfMemory)
    }

    fn map_stack(&mut self, space: &mut Space) -> Result<Range<u64>, MapError> {
        for page in (STACK_BOTTOM..STACK_TOP).step_by(PAGE as usize) {
            memory::map_user_page(space.0, page, true, false).ok_or(MapError::OutOfMemory)?;
        }
        Ok(STACK_BOTTOM..STACK_TOP)
    }

    fn write(&mut self, space: &mut Space, addr: u64, bytes: &[u8]) -> Result<(), WriteFault> {
        if memory::write_user(space.0, addr, bytes) {
            Ok(())
        } else {
            Err(WriteFault)
        }
    }

    /// The TSC, which is all the entropy a PC boot has.
    fn random(&mut self) -> [u8; 16] {
        // SAFETY: rdtsc is unprivileged and has no effects.
        kernel_common::stack::random_from(unsafe { core::arch::x86_64::_rdtsc() })
    }

    fn spawn(&mut self, name: &str, entry: u64, sp: u64, space: Space) -> Result<(), SpawnError> {
        (self.spawn)(name, entry, sp, space.0).inspect_err(|_| {
            // SAFETY: the process was not created: nothing enters the space.
            unsafe { memory::free_space(space.0) }
        })
    }

    /// Every frame of the space goes back to the allocator.
    fn discard(&mut self, space: Space) {
        // SAFETY: a refused program's space is never entered.
        unsafe { memory::free_space(space.0) };
    }
}

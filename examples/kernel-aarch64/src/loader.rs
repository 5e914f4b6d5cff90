//! OSTEP Fig 6.1, "load program into memory; setup user stack with argv",
//! for this kernel: the [`ProcessBuilder`] that
//! [`kernel_common::initrd::Queue`] drives.
//!
//! The queue checks each ELF file and orders the steps; this builder owns
//! the AArch64 parts: a fresh address space per program (kernel half EL1
//! only), the segments copied into new frames with the ELF's permissions
//! for EL0, a 64 KiB user stack right below [`USER_TOP`], and the builder's
//! `spawn` with the space's `TTBR0_EL1` value (the kernel's passes it to
//! [`Kernel::spawn`](ldex_core::Kernel::spawn)).

use core::ops::Range;

use kernel_common::elf::{Limits, MapError, Mapper, Segment, Target};
use kernel_common::initrd::{ProcessBuilder, Setup, SpawnError};
use kernel_common::stack::{WordSize, WriteFault};
use ldex_arch_aarch64::Ttbr0;

use crate::vm::{AddressSpace, PAGE, Perm, USER_BOTTOM, USER_STACK, USER_TOP, VmError};

/// What a program may not touch: RAM, where the kernel lives (everything
/// else of the kernel lies above user space too).
pub fn forbidden(ram: &Range<usize>) -> Range<u64> {
    ram.start as u64..ram.end as u64
}

/// The initial break: programs load below it, `brk` grows above it.
pub const HEAP_START: usize = 0x1000_0000;
/// Where `mmap` looks for room, above the heap's 256 MiB, up to the stack.
pub const MMAP_START: usize = 0x2000_0000;

/// Linux's `AT_HWCAP` on arm64: FP and ASIMD (bits 0 and 1), which every
/// ARMv8-A CPU this kernel runs on has.
const HWCAP: u64 = 0b11;

/// Where programs may be loaded: user space below the heap, off the
/// `forbidden` ranges.
pub fn setup(forbidden: &[Range<u64>]) -> Setup<'_> {
    Setup {
        target: Target::native().expect("an AArch64 kernel has a native target"),
        limits: Limits {
            user: USER_BOTTOM as u64..HEAP_START as u64,
            forbidden,
        },
        word: WordSize::NATIVE,
        page_size: PAGE as u64,
        hwcap: HWCAP,
    }
}

/// What a finished program becomes: a process (`Kernel::spawn`), or, for
/// the `conformance` build, the kit's user snippet.
pub type Spawn = fn(&str, u64, u64, Ttbr0) -> Result<(), SpawnError>;

/// Builds processes and hands each to `spawn`, with the kernel half of
/// every address space mapping `ram`.
pub struct Builder {
    /// The RAM every address space maps for the kernel.
    pub ram: Range<usize>,
    /// Where a loaded program goes.
    pub spawn: Spawn,
    /// The kernel's own address space, loaded while a space is freed.
    pub kernel_space: Ttbr0,
}

/// A user address space being filled.
pub struct UserSpace(AddressSpace);

/// The largest segment a program may have: 16 MiB. Checked before any
/// frame is taken, so a program asking for a gigabyte of `.bss` is refused
/// and cannot take the frames of the programs running beside it.
const MAX_SEGMENT: u64 = 16 << 20;

fn map_error(e: VmError) -> MapError {
    match e {
        VmError::OutOfMemory => MapError::OutOfMemory,
        VmError::KernelRange => MapError::Refused("address in the kernel's range"),
    }
}

/// Copy `bytes` to user address `va` of `space`, through its frames.
fn copy_in(space: &AddressSpace, va: usize, bytes: &[u8]) -> Result<(), VmError> {
    let mut done = 0;
    while done < bytes.len() {
        let at = va + done;
        let (pa, _) = space.translate(at).ok_or(VmError::KernelRange)?;
        let n = (PAGE - at % PAGE).min(bytes.len() - done);
        // SAFETY: `pa` is in a frame this loader allocated for the new
        // process (identity-mapped RAM), and `n` bytes stay inside its page.
        unsafe { core::ptr::copy_nonoverlapping(bytes[done..].as_ptr(), pa as *mut u8, n) };
        done += n;
    }
    Ok(())
}

impl Mapper for UserSpace {
    fn map(&mut self, segment: &Segment<'_>) -> Result<(), MapError> {
        let f = segment.flags;
        let mut perm = Perm::NONE;
        for (on, p) in [(f.read, Perm::R), (f.write, Perm::W), (f.execute, Perm::X)] {
            if on {
                perm = perm.union(p);
            }
        }
        let pages = segment.pages(PAGE as u64);
        if pages.end - pages.start > MAX_SEGMENT {
            return Err(MapError::Refused("segment larger than 16 MiB"));
        }
        for page in (pages.start..pages.end).step_by(PAGE) {
            self.0.map_user(page as usize, perm).map_err(map_error)?;
        }
        copy_in(&self.0, segment.vaddr as usize, segment.data).map_err(map_error)
    }
}

impl ProcessBuilder for Builder {
    type Space = UserSpace;

    fn new_space(&mut self) -> Result<UserSpace, MapError> {
        AddressSpace::new(&self.ram)
            .map(UserSpace)
            .map_err(map_error)
    }

    fn map_stack(&mut self, space: &mut UserSpace) -> Result<Range<u64>, MapError> {
        let bottom = USER_TOP - USER_STACK;
        for page in (bottom..USER_TOP).step_by(PAGE) {
            space.0.map_user(page, Perm::W).map_err(map_error)?;
        }
        Ok(bottom as u64..USER_TOP as u64)
    }

    fn write(&mut self, space: &mut UserSpace, addr: u64, bytes: &[u8]) -> Result<(), WriteFault> {
        copy_in(&space.0, addr as usize, bytes).map_err(|_| WriteFault)
    }

    fn random(&mut self) -> [u8; 16] {
        kernel_common::stack::random_from(ldex_arch_aarch64::timer::now())
    }

    fn spawn(
        &mut self,
        name: &str,
        entry: u64,
        sp: u64,
        space: UserSpace,
    ) -> Result<(), SpawnError> {
        (self.spawn)(name, entry, sp, space.0.ttbr0()).inspect_err(|_| {
            // SAFETY: the process was not created: nothing enters the
            // space; `kernel_space` is the kernel's.
            unsafe { space.0.free(self.kernel_space) };
        })
    }

    /// Every frame of the space goes back to the allocator.
    fn discard(&mut self, space: UserSpace) {
        // SAFETY: a refused program's space is never entered; `kernel_space`
        // is the kernel's.
        unsafe { space.0.free(self.kernel_space) };
    }
}

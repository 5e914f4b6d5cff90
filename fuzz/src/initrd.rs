//! `initrd`: the whole of Fig 6.1's "load program into memory" for every
//! file of an archive: cpio, ELF checks, mapping and the initial stack.
//!
//! The builder plays a kernel with two process slots and a small frame
//! budget per address space, so the queue's waits (table full, out of
//! memory while others run) and refusals are all reached; processes are
//! reaped one by one until the queue has nothing left. Every process starts
//! with an aligned stack pointer on its stack, and started plus refused can
//! never exceed the files in the archive.

use std::ops::Range;

use kernel_common::console::Console;
use kernel_common::cpio;
use kernel_common::elf::{MapError, Mapper, Segment, Target};
use kernel_common::initrd::{ProcessBuilder, Queue, Setup, SpawnError};
use kernel_common::stack::{WordSize, WriteFault};

use crate::elf::limits;

/// Process slots of the pretend kernel.
const SLOTS: usize = 2;
/// Pages one address space may map before it is out of memory.
const PAGES_PER_SPACE: u64 = 64;
/// The user stack's addresses.
const STACK: Range<u64> = 0x7fff_fff0_0000..0x7fff_fff0_4000;

pub(crate) fn run(data: &[u8]) {
    let setup = Setup {
        target: Target::X86_64,
        limits: limits(),
        word: WordSize::Eight,
        page_size: 4096,
        hwcap: 0,
    };
    let mut kernel = Kernel {
        alive: 0,
        started: 0,
    };
    let mut queue = Queue::new(data);
    queue.start(&setup, &mut kernel, &Quiet);
    while kernel.alive > 0 {
        kernel.alive -= 1;
        queue.reaped();
        queue.start(&setup, &mut kernel, &Quiet);
    }
    let summary = queue.summary();
    let files = cpio::files(data).filter(Result::is_ok).count();
    assert_eq!(summary.started, kernel.started);
    assert!(
        summary.started + summary.refused <= files,
        "{summary:?} from {files} files"
    );
}

/// The pretend kernel: counts live and started processes.
struct Kernel {
    alive: usize,
    started: usize,
}

/// An address space: how many pages it has mapped.
struct Space {
    pages: u64,
}

impl Mapper for Space {
    fn map(&mut self, segment: &Segment<'_>) -> Result<(), MapError> {
        let pages = segment.pages(4096);
        self.pages += (pages.end - pages.start) / 4096;
        match self.pages <= PAGES_PER_SPACE {
            true => Ok(()),
            false => Err(MapError::OutOfMemory),
        }
    }
}

impl ProcessBuilder for Kernel {
    type Space = Space;

    fn new_space(&mut self) -> Result<Space, MapError> {
        Ok(Space { pages: 0 })
    }

    fn map_stack(&mut self, _: &mut Space) -> Result<Range<u64>, MapError> {
        Ok(STACK)
    }

    fn write(&mut self, _: &mut Space, addr: u64, bytes: &[u8]) -> Result<(), WriteFault> {
        match addr.checked_add(bytes.len() as u64) {
            Some(end) if STACK.start <= addr && end <= STACK.end => Ok(()),
            _ => Err(WriteFault),
        }
    }

    fn random(&mut self) -> [u8; 16] {
        [0x5a; 16]
    }

    fn spawn(&mut self, name: &str, _: u64, sp: u64, _: Space) -> Result<(), SpawnError> {
        if self.alive == SLOTS {
            return Err(SpawnError::Full);
        }
        assert!(STACK.contains(&sp), "{name}: sp {sp:#x} is off the stack");
        assert_eq!(sp % 16, 0, "{name}: sp {sp:#x} is not 16-byte aligned");
        self.alive += 1;
        self.started += 1;
        Ok(())
    }

    fn discard(&mut self, _: Space) {}
}

/// A console that drops what the queue reports.
struct Quiet;

impl Console for Quiet {
    fn write_bytes(&self, _: &[u8]) {}
}

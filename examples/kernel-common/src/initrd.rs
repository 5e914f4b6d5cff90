//! Fig 6.1 for every program in the initrd: one process per program, in
//! archive order, as slots free up.
//!
//! A [`Queue`] reads the cpio archive, checks each file as a static
//! executable, and asks the kernel's [`ProcessBuilder`] for an address
//! space, the segments, a stack and finally the process. When the process
//! table is full it stops, keeping that program, and [`Queue::start`] goes
//! on from there once a process has ended: an initrd may hold any number of
//! programs, and none is refused for want of a slot. A file that cannot
//! become a process is refused with one line, and the others still run:
//!
//! ```text
//! [initrd bad-magic] refused: not an ELF file (bad magic)
//! [initrd] cpio archive truncated in the member at offset 0x1f4
//! ```
//!
//! The arch-specific work (page tables, frames, `Kernel::spawn`) stays in
//! the kernel's builder; the order of the steps and every check live here.

use core::fmt;
use core::ops::Range;

use crate::console::{Console, print};
use crate::cpio::{self, CpioError};
use crate::elf::{Elf, Limits, MapError, Mapper, Target};
use crate::stack::{self, StackArgs, StackError, WordSize, WriteFault};

/// Why the kernel did not create a process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpawnError {
    /// Every slot is taken now: the program waits for a process to end.
    Full,
    /// Never, for this reason.
    Refused(&'static str),
}

/// What a kernel does to turn a checked executable into a process.
pub trait ProcessBuilder {
    /// A user address space being built; segments are mapped into it.
    type Space: Mapper;

    /// A new user address space with the kernel mapped as usual (without U).
    fn new_space(&mut self) -> Result<Self::Space, MapError>;

    /// Map the user stack (writable, not executable) and return its range.
    fn map_stack(&mut self, space: &mut Self::Space) -> Result<Range<u64>, MapError>;

    /// Write `bytes` at user address `addr` of `space`, already mapped by
    /// [`ProcessBuilder::map_stack`].
    fn write(&mut self, space: &mut Self::Space, addr: u64, bytes: &[u8])
    -> Result<(), WriteFault>;

    /// The 16 bytes `AT_RANDOM` points at.
    fn random(&mut self) -> [u8; 16];

    /// Create the process (`Kernel::spawn`): it starts at `entry` with stack
    /// pointer `sp` in `space`. On error the builder frees `space` itself.
    fn spawn(
        &mut self,
        name: &str,
        entry: u64,
        sp: u64,
        space: Self::Space,
    ) -> Result<(), SpawnError>;

    /// Free a space that will never run (its program was refused).
    fn discard(&mut self, space: Self::Space);
}

/// What the kernel runs the programs with.
#[derive(Clone, Debug)]
pub struct Setup<'a> {
    /// The kind of executable the kernel runs.
    pub target: Target,
    /// Where programs may be loaded.
    pub limits: Limits<'a>,
    /// The user word size.
    pub word: WordSize,
    /// The page size (`AT_PAGESZ`).
    pub page_size: u64,
    /// The CPU's capabilities (`AT_HWCAP`).
    pub hwcap: u64,
}

/// Why one program could not start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The file is not an acceptable executable, or mapping it failed.
    Elf(crate::elf::ElfError),
    /// The address space or stack could not be mapped.
    Map(MapError),
    /// The initial stack could not be built.
    Stack(StackError),
    /// The kernel would not create the process.
    Spawn(SpawnError),
}

impl Refusal {
    /// Did the program fail for want of a frame (so it may load later)?
    fn is_out_of_memory(&self) -> bool {
        matches!(
            self,
            Refusal::Map(MapError::OutOfMemory)
                | Refusal::Elf(crate::elf::ElfError::Map(MapError::OutOfMemory))
        )
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Elf(e) => write!(f, "{e}"),
            Refusal::Map(e) => write!(f, "{}", crate::elf::ElfError::Map(*e)),
            Refusal::Stack(e) => write!(f, "{e}"),
            Refusal::Spawn(SpawnError::Refused(why)) => f.write_str(why),
            Refusal::Spawn(SpawnError::Full) => f.write_str("the process table is full"),
        }
    }
}

/// What a [`Queue`] did so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Processes created.
    pub started: usize,
    /// Files refused (each reported on the console).
    pub refused: usize,
    /// The archive was empty or damaged (reported); files before the damage
    /// were still started.
    pub damaged: Option<CpioError>,
}

/// The initrd's programs, started in archive order as slots free up.
///
/// A program waits, and is tried again after the next [`Queue::reaped`],
/// when the table is full or when memory runs out while it loads but
/// processes it started are still alive (they give their frames back when
/// they end). Out of memory with none alive is a refusal: nothing would
/// ever free more.
pub struct Queue<'a> {
    files: cpio::Entries<'a>,
    /// A program that found no slot or no memory: the first to start next.
    waiting: Option<(&'a str, &'a [u8])>,
    /// Processes started and not yet reaped.
    alive: usize,
    summary: Summary,
}

impl<'a> Queue<'a> {
    /// The programs of `initrd`, none started yet.
    pub fn new(initrd: &'a [u8]) -> Self {
        Queue {
            files: cpio::files(initrd),
            waiting: None,
            alive: 0,
            summary: Summary::default(),
        }
    }

    /// One of the processes it started has been reaped, its memory freed.
    pub fn reaped(&mut self) {
        self.alive = self.alive.saturating_sub(1);
    }

    /// Start the next programs, in order, until one finds every slot taken
    /// or none is left; report every refusal and archive error on
    /// `console`. A process is named after its file, without directories
    /// (`bin/hello` runs as `hello`).
    pub fn start<B: ProcessBuilder>(
        &mut self,
        setup: &Setup<'_>,
        builder: &mut B,
        console: &(impl Console + ?Sized),
    ) {
        while let Some((name, data)) = self.waiting.take().or_else(|| self.next(console)) {
            match spawn_one(name, data, setup, builder) {
                Ok(()) => {
                    self.summary.started += 1;
                    self.alive += 1;
                }
                Err(Refusal::Spawn(SpawnError::Full)) => {
                    self.waiting = Some((name, data));
                    return;
                }
                Err(why) if why.is_out_of_memory() && self.alive > 0 => {
                    self.waiting = Some((name, data));
                    return;
                }
                Err(why) => {
                    print(console, format_args!("[initrd {name}] refused: {why}\n"));
                    self.summary.refused += 1;
                }
            }
        }
    }

    /// What was started and refused so far.
    pub fn summary(&self) -> Summary {
        self.summary
    }

    /// The next file's name and bytes; `None` at the end or at damage,
    /// which is reported once.
    fn next(&mut self, console: &(impl Console + ?Sized)) -> Option<(&'a str, &'a [u8])> {
        if self.summary.damaged.is_some() {
            return None;
        }
        match self.files.next()? {
            Ok(file) => {
                let name = file
                    .name
                    .rsplit_once('/')
                    .map_or(file.name, |(_, base)| base);
                Some((name, file.data))
            }
            Err(e) => {
                print(console, format_args!("[initrd] {e}\n"));
                self.summary.damaged = Some(e);
                None
            }
        }
    }
}

/// Start the programs of `initrd` that fit in the free slots, as
/// [`Queue::start`] does, and forget the rest: for a kernel that runs one
/// batch (the x86_64 arch-bench harness keeps only the first).
pub fn spawn_all<B: ProcessBuilder>(
    initrd: &[u8],
    setup: &Setup<'_>,
    builder: &mut B,
    console: &(impl Console + ?Sized),
) -> Summary {
    let mut queue = Queue::new(initrd);
    queue.start(setup, builder, console);
    queue.summary()
}

fn spawn_one<B: ProcessBuilder>(
    name: &str,
    data: &[u8],
    setup: &Setup<'_>,
    builder: &mut B,
) -> Result<(), Refusal> {
    let elf = Elf::parse(data, setup.target, &setup.limits).map_err(Refusal::Elf)?;
    let mut space = builder.new_space().map_err(Refusal::Map)?;
    match fill(name, &elf, setup, builder, &mut space) {
        Ok((entry, sp)) => builder
            .spawn(name, entry, sp, space)
            .map_err(Refusal::Spawn),
        Err(e) => {
            builder.discard(space);
            Err(e)
        }
    }
}

/// Map the segments and the stack; return the entry point and initial sp.
fn fill<B: ProcessBuilder>(
    name: &str,
    elf: &Elf<'_>,
    setup: &Setup<'_>,
    builder: &mut B,
    space: &mut B::Space,
) -> Result<(u64, u64), Refusal> {
    let image = elf.load(space).map_err(Refusal::Elf)?;
    let region = builder.map_stack(space).map_err(Refusal::Map)?;
    let args = StackArgs {
        argv: &[name],
        image: &image,
        page_size: setup.page_size,
        random: builder.random(),
        hwcap: setup.hwcap,
    };
    let sp = stack::build(region, setup.word, &args, |addr, bytes| {
        builder.write(space, addr, bytes)
    })
    .map_err(Refusal::Stack)?;
    Ok((image.entry, sp))
}

#[cfg(test)]
mod tests;

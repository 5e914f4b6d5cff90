//! The initial user stack of a static executable, laid out as Linux lays it
//! out (System V ABI, "Process Initialization"), so that a `_start` written
//! for Linux finds argc and argv where it expects them.
//!
//! ```text
//!   high  +--------------------------+ <- top of the stack region
//!         | argv strings, NUL-ended  |
//!         | 16 random bytes          |    AT_RANDOM points here (16-aligned)
//!         | padding                  |
//!         | AT_NULL, 0               |
//!         | auxv pairs (key, value)  |    AT_PHDR, AT_PHENT, AT_PHNUM,
//!         |                          |    AT_PAGESZ, AT_ENTRY, AT_HWCAP,
//!         |                          |    AT_RANDOM (no AT_SYSINFO_EHDR:
//!         |                          |    there is no vDSO)
//!         | NULL                     |    end of envp (it is empty)
//!         | NULL                     |    end of argv
//!         | argv[argc-1] ... argv[0] |
//!   low   | argc                     | <- sp, 16-byte aligned
//! ```
//!
//! Every slot is one word: 4 bytes for rv32, 8 for rv64 and x86_64. The
//! builder writes through the caller's closure, so the kernel decides how the
//! bytes reach the process's pages (through the physical frames before the
//! address space is live, typically).

use core::fmt;
use core::ops::Range;

use abi::auxv;

use crate::elf::Image;

/// The size of a user word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WordSize {
    /// 32-bit programs (rv32).
    Four,
    /// 64-bit programs (rv64, x86_64).
    Eight,
}

impl WordSize {
    /// The word size of the CPU this code is compiled for.
    pub const NATIVE: WordSize = match usize::BITS {
        32 => WordSize::Four,
        _ => WordSize::Eight,
    };

    /// Bytes per word.
    pub const fn bytes(self) -> u64 {
        match self {
            WordSize::Four => 4,
            WordSize::Eight => 8,
        }
    }
}

/// What goes on the stack besides the layout.
#[derive(Clone, Copy, Debug)]
pub struct StackArgs<'a> {
    /// The program's arguments; `argv[0]` is by convention its name.
    pub argv: &'a [&'a str],
    /// The loaded program (for AT_ENTRY and AT_PHDR/AT_PHENT/AT_PHNUM).
    pub image: &'a Image,
    /// The page size (AT_PAGESZ).
    pub page_size: u64,
    /// The 16 bytes AT_RANDOM points at (a seed for stack canaries).
    pub random: [u8; 16],
    /// AT_HWCAP: the CPU's capabilities, as Linux reports them.
    pub hwcap: u64,
}

/// The 16 bytes for AT_RANDOM from `counter`, a free-running cycle or time
/// counter read as the program loads: all the entropy an example kernel's
/// boot has. Different for every program, not for cryptography.
pub fn random_from(counter: u64) -> [u8; 16] {
    let seed = counter.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let mut random = [0; 16];
    random[..8].copy_from_slice(&seed.to_le_bytes());
    random[8..].copy_from_slice(&seed.rotate_left(29).to_le_bytes());
    random
}

/// Why the stack could not be built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StackError {
    /// The arguments do not fit in the stack region.
    TooSmall {
        /// Bytes the layout needs.
        needed: u64,
        /// Bytes the region has.
        size: u64,
    },
    /// The writer refused this address.
    Unwritable {
        /// The address written.
        addr: u64,
    },
}

impl fmt::Display for StackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            StackError::TooSmall { needed, size } => {
                write!(
                    f,
                    "arguments need {needed} bytes of stack, only {size} mapped"
                )
            }
            StackError::Unwritable { addr } => {
                write!(f, "cannot write the user stack at {addr:#x}")
            }
        }
    }
}

/// The writer could not write these bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WriteFault;

/// Lay out the stack in `region` (the stack's mapped addresses) and return
/// the initial user sp. `write(addr, bytes)` stores bytes in user memory.
pub fn build(
    region: Range<u64>,
    word: WordSize,
    args: &StackArgs<'_>,
    write: impl FnMut(u64, &[u8]) -> Result<(), WriteFault>,
) -> Result<u64, StackError> {
    let w = word.bytes();
    let strings: u64 = args.argv.iter().map(|a| a.len() as u64 + 1).sum();
    let (aux, aux_len) = aux_vector(args);
    let words = 1 + args.argv.len() as u64 + 1 + 1 + 2 * aux_len as u64;

    let size = region.end.saturating_sub(region.start);
    let needed = (strings + 16 + words * w).next_multiple_of(16) + 16;
    if needed > size {
        return Err(StackError::TooSmall { needed, size });
    }
    let strings_at = region.end - strings;
    let random_at = (strings_at - 16) & !15;
    let sp = (random_at - words * w) & !15;

    let mut out = Out {
        write,
        word,
        next: sp,
    };
    out.word(args.argv.len() as u64)?;
    let mut string = strings_at;
    for arg in args.argv {
        out.bytes(string, arg.as_bytes())?;
        out.bytes(string + arg.len() as u64, &[0])?;
        out.word(string)?;
        string += arg.len() as u64 + 1;
    }
    out.word(0)?; // end of argv
    out.word(0)?; // end of envp
    for &(key, value) in &aux[..aux_len] {
        out.word(key)?;
        out.word(if key == auxv::AT_RANDOM as u64 {
            random_at
        } else {
            value
        })?;
    }
    out.bytes(random_at, &args.random)?;
    Ok(sp)
}

/// Writes words upward from `next`, and bytes anywhere.
struct Out<F> {
    write: F,
    word: WordSize,
    next: u64,
}

impl<F: FnMut(u64, &[u8]) -> Result<(), WriteFault>> Out<F> {
    fn bytes(&mut self, addr: u64, bytes: &[u8]) -> Result<(), StackError> {
        (self.write)(addr, bytes).map_err(|_| StackError::Unwritable { addr })
    }

    fn word(&mut self, value: u64) -> Result<(), StackError> {
        let addr = self.next;
        self.next += self.word.bytes();
        let bytes = value.to_le_bytes();
        self.bytes(addr, &bytes[..self.word.bytes() as usize])
    }
}

/// The auxiliary vector, AT_NULL included, and its length. AT_RANDOM's value
/// is filled in by [`build`].
fn aux_vector(args: &StackArgs<'_>) -> ([(u64, u64); 8], usize) {
    let image = args.image;
    let mut aux = [(0, 0); 8];
    let mut len = 0;
    let mut push = |key: usize, value: u64| {
        aux[len] = (key as u64, value);
        len += 1;
    };
    if let Some(phdr) = image.phdr {
        push(auxv::AT_PHDR, phdr);
        push(auxv::AT_PHENT, image.phent);
        push(auxv::AT_PHNUM, image.phnum);
    }
    push(auxv::AT_PAGESZ, args.page_size);
    push(auxv::AT_ENTRY, image.entry);
    push(auxv::AT_HWCAP, args.hwcap);
    push(auxv::AT_RANDOM, 0);
    push(auxv::AT_NULL, 0);
    (aux, len)
}

#[cfg(test)]
mod tests;

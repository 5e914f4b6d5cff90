//! The memory of one loaded program: its instructions and its data.
//!
//! The program's strings (the text of its `write`s) live in a data segment
//! at [`USER_BASE`]; a `write` passes their simulated address and length,
//! and the kernel checks them like any pointer a process alleges is its own.

use ldex_core::AccessKind;
use ldex_core::user::UserMemory;

use crate::scenario::Op;

/// Where every program's data segment starts.
pub const USER_BASE: usize = 0x1000_0000;

/// One program's memory.
#[derive(Clone, Debug)]
pub struct Memory {
    /// The instructions, addressed by pc.
    pub program: Vec<Op>,
    data: Vec<u8>,
    strings: Vec<(usize, usize)>,
}

impl Memory {
    /// Load a program: lay its strings out in the data segment.
    pub fn load(program: &[Op]) -> Memory {
        let mut data = Vec::new();
        let strings = program
            .iter()
            .map(|op| match op {
                Op::Write(text) => {
                    let at = USER_BASE + data.len();
                    data.extend_from_slice(text.as_bytes());
                    (at, text.len())
                }
                _ => (0, 0),
            })
            .collect();
        Memory {
            program: program.to_vec(),
            data,
            strings,
        }
    }

    /// The address and length of the string of the `write` at `pc`.
    pub fn string_at(&self, pc: usize) -> (usize, usize) {
        self.strings[pc]
    }

    /// Read user memory the kernel has checked.
    pub fn read(&self, addr: usize, len: usize) -> &[u8] {
        let at = addr - USER_BASE;
        &self.data[at..at + len]
    }
}

impl UserMemory for Memory {
    fn allows(&self, addr: usize, len: usize, access: AccessKind) -> bool {
        access == AccessKind::Read && addr >= USER_BASE && addr - USER_BASE + len <= self.data.len()
    }
}

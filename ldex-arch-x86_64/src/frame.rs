//! The trap frame: the one shape every entry path saves.
//!
//! Interrupts, exceptions, `int 0x80` and `syscall` all build the same
//! frame at the top of the current kernel stack, so there is one return path
//! ([`crate::entry`]). Lowest address first:
//!
//! ```text
//!  frame -> +0x00 r15 ............ pushed by the entry code, last
//!           +0x08 r14   r13   r12   r11   r10   r9   r8
//!           +0x40 rbp   rdi   rsi   rdx   rcx   rbx
//!           +0x70 rax ............ pushed by the entry code, first
//!           +0x78 vector ......... pushed by the vector stub (or the syscall
//!                                  entry: VECTOR_SYSCALL)
//!           +0x80 error_code ..... pushed by the CPU, or 0 by the stub
//!           +0x88 rip    \
//!           +0x90 cs      |  the CPU's interrupt frame (the syscall entry
//!           +0x98 rflags  |  writes the same five words by hand from rcx,
//!           +0xa0 rsp     |  r11 and the stashed user rsp)
//!           +0xa8 ss     /
//!  kstack top (TSS.rsp0) +0xb0
//! ```
//!
//! 22 words = 176 bytes, a multiple of 16: with a 16-aligned kernel stack
//! top the frame, and so the call into Rust, is 16-aligned.

use core::fmt;
use core::mem::{offset_of, size_of};

use static_assertions::const_assert_eq;

use crate::gdt::{USER_CS, USER_SS};

/// The `vector` of a frame built by the `syscall` instruction's entry. Only
/// such frames may leave through `sysretq` (which clobbers rcx and r11).
pub const VECTOR_SYSCALL: u64 = 0x100;
/// The `vector` of a frame made by `TrapFrame::new_user`: it never trapped.
pub const VECTOR_NONE: u64 = 0x101;

/// RFLAGS.IF: interrupts enabled.
pub const RFLAGS_IF: u64 = 1 << 9;
/// RFLAGS bit 1 always reads as one.
const RFLAGS_FIXED: u64 = 1 << 1;

/// The saved registers of one trap (see the module map).
#[repr(C)]
#[derive(Clone, Copy, Default, PartialEq, Eq)]
#[allow(
    missing_docs,
    reason = "the fields are the registers they are named after"
)]
pub struct TrapFrame {
    pub r15: u64,
    pub r14: u64,
    pub r13: u64,
    pub r12: u64,
    pub r11: u64,
    pub r10: u64,
    pub r9: u64,
    pub r8: u64,
    pub rbp: u64,
    pub rdi: u64,
    pub rsi: u64,
    pub rdx: u64,
    pub rcx: u64,
    pub rbx: u64,
    pub rax: u64,
    /// The IDT vector, [`VECTOR_SYSCALL`] or [`VECTOR_NONE`].
    pub vector: u64,
    /// The CPU's error code, or 0 for vectors without one.
    pub error_code: u64,
    pub rip: u64,
    pub cs: u64,
    pub rflags: u64,
    pub rsp: u64,
    pub ss: u64,
}

const_assert_eq!(size_of::<TrapFrame>(), 22 * 8);
const_assert_eq!(size_of::<TrapFrame>() % 16, 0);
const_assert_eq!(offset_of!(TrapFrame, r15), 0x00);
const_assert_eq!(offset_of!(TrapFrame, rax), 0x70);
const_assert_eq!(offset_of!(TrapFrame, vector), 0x78);
const_assert_eq!(offset_of!(TrapFrame, error_code), 0x80);
const_assert_eq!(offset_of!(TrapFrame, rip), 0x88);
const_assert_eq!(offset_of!(TrapFrame, cs), 0x90);
const_assert_eq!(offset_of!(TrapFrame, rflags), 0x98);
const_assert_eq!(offset_of!(TrapFrame, rsp), 0xa0);
const_assert_eq!(offset_of!(TrapFrame, ss), 0xa8);

/// Is `addr` canonical (bits 63..47 all equal) for 4-level paging?
pub const fn is_canonical(addr: u64) -> bool {
    ((addr << 16) as i64 >> 16) as u64 == addr
}

impl ldex_core::TrapFrame for TrapFrame {
    fn new_user(entry: usize, user_sp: usize) -> Self {
        TrapFrame {
            vector: VECTOR_NONE,
            rip: entry as u64,
            cs: u64::from(USER_CS),
            rflags: RFLAGS_IF | RFLAGS_FIXED,
            rsp: user_sp as u64,
            ss: u64::from(USER_SS),
            ..TrapFrame::default()
        }
    }

    #[inline]
    fn syscall_number(&self) -> usize {
        self.rax as usize
    }

    #[inline]
    fn syscall_args(&self) -> [usize; 6] {
        [
            self.rdi as usize,
            self.rsi as usize,
            self.rdx as usize,
            self.r10 as usize,
            self.r8 as usize,
            self.r9 as usize,
        ]
    }

    fn set_syscall_return(&mut self, value: usize) {
        self.rax = value as u64;
    }

    fn pc(&self) -> usize {
        self.rip as usize
    }

    fn from_user(&self) -> bool {
        self.cs & 3 == 3
    }
}

impl fmt::Debug for TrapFrame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let regs = [
            ("rax", self.rax),
            ("rbx", self.rbx),
            ("rcx", self.rcx),
            ("rdx", self.rdx),
            ("rsi", self.rsi),
            ("rdi", self.rdi),
            ("rbp", self.rbp),
            ("rsp", self.rsp),
            ("r8", self.r8),
            ("r9", self.r9),
            ("r10", self.r10),
            ("r11", self.r11),
            ("r12", self.r12),
            ("r13", self.r13),
            ("r14", self.r14),
            ("r15", self.r15),
            ("rip", self.rip),
            ("rflags", self.rflags),
            ("cs", self.cs),
            ("ss", self.ss),
            ("vector", self.vector),
            ("error_code", self.error_code),
        ];
        let mut s = f.debug_struct("TrapFrame");
        for (name, value) in regs {
            s.field(name, &format_args!("{value:#x}"));
        }
        s.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ldex_core::TrapFrame as _;

    #[test]
    fn new_user_frame_returns_to_ring3_with_interrupts_on_and_zeroed_registers() {
        let f = TrapFrame::new_user(0x40_1000, 0x7fff_f000);
        assert!(f.from_user());
        assert_eq!((f.rip, f.rsp), (0x40_1000, 0x7fff_f000));
        assert_eq!(f.rflags & RFLAGS_IF, RFLAGS_IF);
        assert_eq!(f.vector, VECTOR_NONE);
        assert_eq!(f.rax | f.rdi | f.r15 | f.rbp, 0);
    }

    #[test]
    fn canonical_check_splits_the_address_space_at_bit_47() {
        assert!(is_canonical(0x0000_7fff_ffff_ffff));
        assert!(!is_canonical(0x0000_8000_0000_0000));
        assert!(!is_canonical(0xffff_7fff_ffff_ffff));
        assert!(is_canonical(0xffff_8000_0000_0000));
    }
}

//! The trap frame: every user register, saved by the trap entry.
//!
//! ```text
//!   kernel stack of the current process
//!   +-------------------------------+ <- kstack top = SP_EL1 while in EL0
//!   | far_el1  (faulting address)   |   35 * 8
//!   | esr_el1  (why)                |   34 * 8
//!   | spsr_el1 (mode, DAIF, NZCV)   |   33 * 8
//!   | elr_el1  (where to resume)    |   32 * 8
//!   | sp       (sp_el0 of the user) |   31 * 8
//!   | x30 (lr)                      |   30 * 8
//!   | ...                           |
//!   | x1                            |    1 * 8
//!   | x0                            |    0 * 8
//!   +-------------------------------+ <- frame pointer = sp in the entry code
//! ```
//!
//! `regs[n]` holds `xN`. For a trap from the kernel, `sp` is the
//! interrupted kernel stack pointer (the frame's end). The layout is
//! asserted below and the assembly takes every offset from `offset_of!`.

use core::fmt;
use core::mem::{offset_of, size_of};

use static_assertions::const_assert_eq;

/// `SPSR_EL1.M[3:0]`: the mode the trap came from (0 = EL0t).
pub const SPSR_MODE: u64 = 0b1111;
/// `SPSR_EL1.M` of EL1 using SP_EL1 (EL1h), where the kernel runs.
pub const SPSR_EL1H: u64 = 0b0101;
/// `SPSR_EL1.I` (and the same bit of `DAIF`): IRQs masked.
pub const SPSR_I: u64 = 1 << 7;

/// Names of `x0..=x30` and `sp`, for register dumps.
pub const GPR_NAMES: [&str; 32] = [
    "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14",
    "x15", "x16", "x17", "x18", "x19", "x20", "x21", "x22", "x23", "x24", "x25", "x26", "x27",
    "x28", "x29", "x30", "sp",
];

/// The saved registers of one trap (see the module map). Its `Debug` is a
/// register dump, for kernel panics.
#[repr(C)]
#[derive(Clone, PartialEq, Eq)]
pub struct TrapFrame {
    /// `x0..=x30`: `regs[n]` is `xN`.
    pub regs: [u64; 31],
    /// The user stack pointer (`SP_EL0`), or the interrupted kernel sp.
    pub sp: u64,
    /// The pc to resume at (`ELR_EL1`).
    pub elr: u64,
    /// The saved `PSTATE` (`SPSR_EL1`): mode, DAIF, condition flags.
    pub spsr: u64,
    /// Why the trap happened (`ESR_EL1`; not written by an interrupt, so
    /// stale for one).
    pub esr: u64,
    /// The faulting address of an abort (`FAR_EL1`).
    pub far: u64,
}

/// The system call number (`x8`, as on Linux arm64).
pub const X8: usize = 8;
/// The first argument and the result.
pub const X0: usize = 0;

const_assert_eq!(offset_of!(TrapFrame, regs), 0);
const_assert_eq!(offset_of!(TrapFrame, sp), 31 * 8);
const_assert_eq!(offset_of!(TrapFrame, elr), 32 * 8);
const_assert_eq!(offset_of!(TrapFrame, spsr), 33 * 8);
const_assert_eq!(offset_of!(TrapFrame, esr), 34 * 8);
const_assert_eq!(offset_of!(TrapFrame, far), 35 * 8);
const_assert_eq!(size_of::<TrapFrame>(), 36 * 8);
const_assert_eq!(size_of::<TrapFrame>() % 16, 0);
// `add sp, sp, #size` in the exit takes a 12-bit immediate.
static_assertions::const_assert!(size_of::<TrapFrame>() < 4096);

impl TrapFrame {
    /// A frame of zeros (EL0t, as far as `from_user` can tell).
    pub const ZERO: TrapFrame = TrapFrame {
        regs: [0; 31],
        sp: 0,
        elr: 0,
        spsr: 0,
        esr: 0,
        far: 0,
    };
}

impl fmt::Debug for TrapFrame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "elr {:#x}  spsr {:#x}  esr {:#x}  far {:#x}",
            self.elr, self.spsr, self.esr, self.far
        )?;
        let values = self.regs.iter().chain(core::iter::once(&self.sp));
        for (i, (name, value)) in GPR_NAMES.iter().zip(values).enumerate() {
            let end = if i % 4 == 3 { "\n" } else { "  " };
            write!(f, "{name:>3} {value:#018x}{end}")?;
        }
        Ok(())
    }
}

impl ldex_core::TrapFrame for TrapFrame {
    /// SPSR = EL0t with DAIF clear: `eret` drops to EL0 with interrupts
    /// unmasked; they stay masked in EL1 until then.
    fn new_user(entry: usize, user_sp: usize) -> Self {
        let mut f = TrapFrame::ZERO;
        f.elr = entry as u64;
        f.sp = user_sp as u64;
        f
    }

    #[inline]
    fn syscall_number(&self) -> usize {
        self.regs[X8] as usize
    }

    /// Inlined, so the six loads land where the kernel wants the arguments
    /// (a call returns the array through memory, and the soft-float target
    /// copies it with a `memcpy` call of about 47 instructions).
    #[inline]
    fn syscall_args(&self) -> [usize; 6] {
        let r = &self.regs;
        [
            r[X0] as usize,
            r[X0 + 1] as usize,
            r[X0 + 2] as usize,
            r[X0 + 3] as usize,
            r[X0 + 4] as usize,
            r[X0 + 5] as usize,
        ]
    }

    #[inline]
    fn set_syscall_return(&mut self, value: usize) {
        self.regs[X0] = value as u64;
    }

    #[inline]
    fn pc(&self) -> usize {
        self.elr as usize
    }

    #[inline]
    fn from_user(&self) -> bool {
        self.spsr & SPSR_MODE == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ldex_core::TrapFrame as _;

    #[test]
    fn new_user_frame_returns_to_el0_with_interrupts_unmasked() {
        let f = TrapFrame::new_user(0x40_0000, 0x3fff_f000);
        assert!(f.from_user());
        assert_eq!(f.pc(), 0x40_0000);
        assert_eq!(f.sp, 0x3fff_f000);
        assert_eq!(f.spsr & SPSR_I, 0);
    }

    #[test]
    fn el1h_in_spsr_means_the_trap_came_from_the_kernel() {
        let mut f = TrapFrame::new_user(0, 0);
        f.spsr = SPSR_EL1H | SPSR_I;
        assert!(!f.from_user());
    }

    #[test]
    fn debug_is_a_register_dump_with_names() {
        extern crate std;
        let mut f = TrapFrame::new_user(0x40_0000, 0x3fff_fff0);
        f.regs[8] = 0x40;
        let dump = std::format!("{f:?}");
        assert!(dump.starts_with("elr 0x400000  spsr 0x0"), "{dump}");
        assert!(dump.contains(" x8 0x0000000000000040"), "{dump}");
        assert!(dump.contains(" sp 0x000000003ffffff0"), "{dump}");
        assert_eq!(dump.lines().count(), 1 + 8);
    }
}

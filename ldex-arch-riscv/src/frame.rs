//! The trap frame: every user register, saved by the trap entry.
//!
//! ```text
//!   kernel stack of the current process
//!   +-------------------------------+ <- kstack top = sscratch while in U-mode
//!   | kernel_tp (this hart's tp)    |   35 * XLENB
//!   | stval    (bad address / insn) |   34 * XLENB
//!   | scause   (why)                |   33 * XLENB
//!   | sstatus  (SPP, SPIE, FS, SUM) |   32 * XLENB
//!   | sepc     (where to resume)    |   31 * XLENB
//!   | x31 (t6)                      |   30 * XLENB
//!   | ...                           |
//!   | x2  (sp of the trapped code)  |    1 * XLENB
//!   | x1  (ra)                      |    0 * XLENB
//!   +-------------------------------+ <- frame pointer = sp in the entry code
//! ```
//!
//! `regs[i]` holds register `x(i+1)`; `x0` is not stored. The layout is
//! asserted below and the assembly takes every offset from `offset_of!`.
//!
//! `kernel_tp` is not a user register: it is the CPU id of the hart the
//! process runs on ([`crate::smp`]), written by `Arch::enter_process` when
//! the process is switched in, and loaded into `tp` by the entry of every
//! trap from U-mode, whose `tp` is the user's (xv6 keeps `kernel_hartid` in
//! its trapframe for the same reason). It also rounds the frame up to the
//! 16-byte stack alignment of the psABI.

use core::fmt;
use core::mem::{offset_of, size_of};

use static_assertions::const_assert_eq;

use crate::xlen::XLENB;

/// `sstatus.SIE`: supervisor interrupts enabled.
pub const SSTATUS_SIE: usize = 1 << 1;
/// `sstatus.SPIE`: SIE before the trap; `sret` copies it back to SIE.
pub const SSTATUS_SPIE: usize = 1 << 5;
/// `sstatus.SPP`: the trap came from S-mode (1) or U-mode (0).
pub const SSTATUS_SPP: usize = 1 << 8;
/// `sstatus.FS`: the floating-point unit's state (two bits).
pub const SSTATUS_FS: usize = 3 << 13;
/// `FS = Initial`: FP registers hold their reset values.
pub const FS_INITIAL: usize = 1 << 13;
/// `FS = Clean`: FP registers match the last save.
pub const FS_CLEAN: usize = 2 << 13;
/// `FS = Dirty`: FP registers changed since the last save.
pub const FS_DIRTY: usize = 3 << 13;
/// `sstatus.SUM`: S-mode may access U pages. Off in the kernel except inside
/// `with_user_access`, so a stray kernel access to user memory faults.
pub const SSTATUS_SUM: usize = 1 << 18;

/// The `sstatus.FS` a new process starts with: Initial where this kernel
/// saves FP state, Off (any FP instruction traps) where it cannot.
const NEW_PROCESS_FS: usize = if cfg!(target_arch = "riscv64") {
    FS_INITIAL
} else {
    0
};

/// ABI names of `x1..=x31`, for register dumps.
pub const GPR_NAMES: [&str; 31] = [
    "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5", "a6",
    "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
];

/// The saved registers of one trap (see the module map). Its `Debug` is a
/// register dump with ABI names, for kernel panics.
#[repr(C)]
#[derive(Clone, PartialEq, Eq)]
pub struct TrapFrame {
    /// `x1..=x31`: `regs[i]` is `x(i+1)`.
    pub regs: [usize; 31],
    /// The pc to resume at.
    pub sepc: usize,
    /// `sstatus` at the trap; restored before `sret` (SPP, SPIE, FS, SUM).
    pub sstatus: usize,
    /// Why the trap happened.
    pub scause: usize,
    /// The faulting address or instruction bits.
    pub stval: usize,
    /// The CPU id the entry loads into `tp` on a trap from U-mode (see the
    /// module docs); not restored on the way out.
    pub kernel_tp: usize,
}

/// Index in [`TrapFrame::regs`] of `xN`.
const fn x(n: usize) -> usize {
    n - 1
}

const SP: usize = x(2);
const A0: usize = x(10);
const A7: usize = x(17);

const_assert_eq!(offset_of!(TrapFrame, regs), 0);
const_assert_eq!(offset_of!(TrapFrame, sepc), 31 * XLENB);
const_assert_eq!(offset_of!(TrapFrame, sstatus), 32 * XLENB);
const_assert_eq!(offset_of!(TrapFrame, scause), 33 * XLENB);
const_assert_eq!(offset_of!(TrapFrame, stval), 34 * XLENB);
const_assert_eq!(offset_of!(TrapFrame, kernel_tp), 35 * XLENB);
const_assert_eq!(size_of::<TrapFrame>(), 36 * XLENB);
const_assert_eq!(size_of::<TrapFrame>() % 16, 0);

impl TrapFrame {
    /// A frame of zeros (kernel mode, as far as `from_user` can tell).
    pub const ZERO: TrapFrame = TrapFrame {
        regs: [0; 31],
        sepc: 0,
        sstatus: 0,
        scause: 0,
        stval: 0,
        kernel_tp: 0,
    };

    /// Register `xN` (`x0` reads as zero).
    pub const fn x(&self, n: usize) -> usize {
        if n == 0 { 0 } else { self.regs[x(n)] }
    }

    /// The `sstatus.FS` field saved in this frame.
    pub const fn fs(&self) -> usize {
        self.sstatus & SSTATUS_FS
    }
}

impl fmt::Debug for TrapFrame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "sepc {:#x}  sstatus {:#x}  scause {:#x}  stval {:#x}",
            self.sepc, self.sstatus, self.scause, self.stval
        )?;
        for (i, (name, value)) in GPR_NAMES.iter().zip(&self.regs).enumerate() {
            let end = if i % 4 == 3 || i == GPR_NAMES.len() - 1 {
                "\n"
            } else {
                "  "
            };
            write!(f, "{name:>3} {value:#0w$x}{end}", w = 2 + 2 * XLENB)?;
        }
        Ok(())
    }
}

impl ldex_core::TrapFrame for TrapFrame {
    /// SPP=0 (U-mode), SPIE=1 (interrupts on after `sret`), SIE=0 (off until
    /// then) and FS=Initial: the process has no FP state yet (FS=Off on rv32,
    /// see [`crate::fpu`]).
    fn new_user(entry: usize, user_sp: usize) -> Self {
        let mut f = TrapFrame::ZERO;
        f.sepc = entry;
        f.regs[SP] = user_sp;
        f.sstatus = SSTATUS_SPIE | NEW_PROCESS_FS;
        f
    }

    #[inline]
    fn syscall_number(&self) -> usize {
        self.regs[A7]
    }

    #[inline]
    fn syscall_args(&self) -> [usize; 6] {
        let a = &self.regs[A0..A0 + 6];
        [a[0], a[1], a[2], a[3], a[4], a[5]]
    }

    fn set_syscall_return(&mut self, value: usize) {
        self.regs[A0] = value;
    }

    fn pc(&self) -> usize {
        self.sepc
    }

    fn from_user(&self) -> bool {
        self.sstatus & SSTATUS_SPP == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ldex_core::TrapFrame as _;

    #[test]
    fn new_user_frame_returns_to_u_mode_with_interrupts_on_and_fs_set() {
        let f = TrapFrame::new_user(0x10000, 0x7fff_f000);
        assert!(f.from_user());
        assert_eq!(f.pc(), 0x10000);
        assert_eq!(f.x(2), 0x7fff_f000);
        assert_eq!(f.sstatus & SSTATUS_SPIE, SSTATUS_SPIE);
        assert_eq!(f.sstatus & SSTATUS_SIE, 0);
        assert_eq!(f.fs(), NEW_PROCESS_FS);
    }

    #[test]
    fn debug_is_a_register_dump_with_abi_names() {
        extern crate std;
        let mut f = TrapFrame::new_user(0x10000, 0x3fff_fff0);
        f.regs[x(10)] = 0x2a;
        let dump = std::format!("{f:?}");
        assert!(dump.starts_with("sepc 0x10000  sstatus "), "{dump}");
        assert!(dump.contains(" sp 0x000000003ffffff0"), "{dump}");
        assert!(dump.contains(" a0 0x000000000000002a"), "{dump}");
        assert_eq!(dump.lines().count(), 1 + 8);
    }

    #[test]
    fn spp_set_means_the_trap_came_from_the_kernel() {
        let mut f = TrapFrame::new_user(0, 0);
        f.sstatus |= SSTATUS_SPP;
        assert!(!f.from_user());
    }
}

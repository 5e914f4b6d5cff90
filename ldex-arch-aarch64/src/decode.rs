//! `ESR_EL1` + `FAR_EL1` -> [`TrapCause`], and the vector slots of the
//! trap table.
//!
//! Pure functions, tested on the host. An interrupt does not write
//! `ESR_EL1`: which of the table's sixteen slots the CPU took is what
//! tells an exception from an interrupt ([`Slot`]); the interrupt's number
//! then comes from the GIC (`crate::gic`).
//!
//! AArch64 does not tell "not allowed at EL0" from "no such instruction"
//! for most instructions: an `msr vbar_el1` or an `eret` at EL0 is
//! UNDEFINED, exactly like garbage, and both arrive as EC 0 (unknown reason)
//! with no instruction bits in the syndrome. So those decode as
//! [`TrapCause::IllegalInstruction`]. What `SCTLR_EL1` and `CNTKCTL_EL1`
//! make *trap* (a `msr daifset`, a cache maintenance instruction, a timer
//! register, `wfi`) arrives with its own EC (0x18, 0x01) and decodes as
//! [`TrapCause::PrivilegedInstruction`].

use ldex_core::{AccessKind, Privilege, TrapCause};

/// Exception classes (`ESR_EL1.EC`, bits 31:26) of the Arm ARM, D17.2.37.
pub mod ec {
    /// Unknown reason: an UNDEFINED instruction.
    pub const UNKNOWN: u64 = 0x00;
    /// A trapped `wfi` or `wfe` (`SCTLR_EL1.nTWI`/`nTWE` clear).
    pub const WFX: u64 = 0x01;
    /// A trapped FP/SIMD access (`CPACR_EL1.FPEN`).
    pub const FP_ACCESS: u64 = 0x07;
    /// Illegal execution state (`PSTATE.IL`).
    pub const ILLEGAL_STATE: u64 = 0x0e;
    /// `svc` from AArch64.
    pub const SVC64: u64 = 0x15;
    /// A trapped `msr`, `mrs` or system instruction.
    pub const SYSREG: u64 = 0x18;
    /// Instruction abort from EL0.
    pub const IABT_LOWER: u64 = 0x20;
    /// Instruction abort from EL1.
    pub const IABT_SAME: u64 = 0x21;
    /// PC alignment fault.
    pub const PC_ALIGN: u64 = 0x22;
    /// Data abort from EL0.
    pub const DABT_LOWER: u64 = 0x24;
    /// Data abort from EL1.
    pub const DABT_SAME: u64 = 0x25;
    /// SP alignment fault.
    pub const SP_ALIGN: u64 = 0x26;
    /// `brk` from AArch64.
    pub const BRK64: u64 = 0x3c;
}

/// The exception class of `esr`.
pub const fn class(esr: u64) -> u64 {
    (esr >> 26) & 0x3f
}

/// `ISS.WnR` of a data abort: the access was a write.
const ISS_WNR: u64 = 1 << 6;
/// `ISS.FnV` of an abort: `FAR_EL1` is not valid.
const ISS_FNV: u64 = 1 << 10;
/// `ISS.DFSC` of a data abort (bits 5:0).
const ISS_DFSC: u64 = 0x3f;
/// DFSC: alignment fault.
const DFSC_ALIGNMENT: u64 = 0b10_0001;

/// One of the sixteen 128-byte slots of the `VBAR_EL1` table: which
/// exception level and stack the CPU came from (`slot >> 2`) and what kind
/// of exception it took (`slot & 3`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot(pub u64);

/// The four groups of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum From {
    /// EL1 running on `SP_EL0`: the kernel never does (a kernel bug).
    El1Sp0,
    /// EL1 on `SP_EL1`: a trap from the kernel.
    El1,
    /// EL0 in AArch64: a trap from user mode.
    El0,
    /// EL0 in AArch32: never entered (a kernel bug).
    El0Aarch32,
}

/// The four kinds of exception.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Synchronous: `svc`, faults, undefined instructions (`ESR_EL1` says).
    Sync,
    /// IRQ: a GIC interrupt (the timer's PPI).
    Irq,
    /// FIQ: never routed here.
    Fiq,
    /// SError: an asynchronous external abort.
    SError,
}

impl Slot {
    /// `svc` from EL0: the system call slot.
    pub const EL0_SYNC: Slot = Slot(8);
    /// An IRQ from EL0.
    pub const EL0_IRQ: Slot = Slot(9);
    /// An IRQ from EL1.
    pub const EL1_IRQ: Slot = Slot(5);
    /// Not a slot of the table: the entry's overflow path (a kernel stack
    /// that ran into its guard page, see [`crate::entry`]) hands the
    /// dispatch this number with the frame it saved on the emergency stack.
    pub const KERNEL_STACK_OVERFLOW: Slot = Slot(16);

    /// Where the CPU came from.
    pub const fn from(self) -> From {
        match (self.0 >> 2) & 3 {
            0 => From::El1Sp0,
            1 => From::El1,
            2 => From::El0,
            _ => From::El0Aarch32,
        }
    }

    /// What kind of exception it took.
    pub const fn kind(self) -> Kind {
        match self.0 & 3 {
            0 => Kind::Sync,
            1 => Kind::Irq,
            2 => Kind::Fiq,
            _ => Kind::SError,
        }
    }
}

/// Decode one synchronous exception. `from` is where it was taken (from
/// `SPSR_EL1.M`), `sp` the stack pointer it was taken with (an SP
/// alignment fault leaves `FAR_EL1` unknown).
pub fn decode(esr: u64, far: u64, sp: u64, from: Privilege) -> TrapCause {
    let iss = esr & 0x01ff_ffff;
    let addr = if iss & ISS_FNV == 0 { far as usize } else { 0 };
    let fault = |access| TrapCause::MemoryFault { addr, access, from };
    match class(esr) {
        ec::SVC64 if from == Privilege::User => TrapCause::Syscall,
        ec::UNKNOWN | ec::ILLEGAL_STATE | ec::FP_ACCESS => TrapCause::IllegalInstruction,
        ec::WFX | ec::SYSREG => TrapCause::PrivilegedInstruction,
        ec::IABT_LOWER | ec::IABT_SAME => fault(AccessKind::Execute),
        ec::PC_ALIGN => TrapCause::Misaligned {
            addr: far as usize,
            access: AccessKind::Execute,
        },
        ec::DABT_LOWER | ec::DABT_SAME => {
            let access = if iss & ISS_WNR != 0 {
                AccessKind::Write
            } else {
                AccessKind::Read
            };
            if iss & ISS_DFSC == DFSC_ALIGNMENT {
                TrapCause::Misaligned { addr, access }
            } else {
                fault(access)
            }
        }
        ec::SP_ALIGN => TrapCause::Misaligned {
            addr: sp as usize,
            access: AccessKind::Read,
        },
        ec::BRK64 => TrapCause::Breakpoint,
        _ => TrapCause::Other(esr as usize),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const U: Privilege = Privilege::User;
    const K: Privilege = Privilege::Kernel;

    const fn esr(class: u64, iss: u64) -> u64 {
        (class << 26) | (1 << 25) | iss
    }

    #[test]
    fn svc_from_el0_is_a_syscall_and_from_el1_is_not() {
        assert_eq!(decode(esr(ec::SVC64, 0), 0, 0, U), TrapCause::Syscall);
        assert_eq!(
            decode(esr(ec::SVC64, 0), 0, 0, K),
            TrapCause::Other(esr(ec::SVC64, 0) as usize)
        );
    }

    #[test]
    fn undefined_and_trapped_instructions_are_told_apart() {
        assert_eq!(decode(0, 0, 0, U), TrapCause::IllegalInstruction);
        assert_eq!(
            decode(esr(ec::SYSREG, 0x1234), 0, 0, U),
            TrapCause::PrivilegedInstruction
        );
        assert_eq!(
            decode(esr(ec::WFX, 0), 0, 0, U),
            TrapCause::PrivilegedInstruction
        );
        assert_eq!(
            decode(esr(ec::FP_ACCESS, 0), 0, 0, K),
            TrapCause::IllegalInstruction
        );
    }

    #[test]
    fn aborts_carry_far_access_and_origin() {
        assert_eq!(
            decode(esr(ec::DABT_LOWER, 0b00_0111), 0x4020_0000, 0, U),
            TrapCause::MemoryFault {
                addr: 0x4020_0000,
                access: AccessKind::Read,
                from: U
            }
        );
        assert_eq!(
            decode(esr(ec::DABT_SAME, ISS_WNR | 0b00_0111), 0x1000, 0, K),
            TrapCause::MemoryFault {
                addr: 0x1000,
                access: AccessKind::Write,
                from: K
            }
        );
        assert_eq!(
            decode(esr(ec::IABT_LOWER, 0b00_1111), 0x4020_0000, 0, U),
            TrapCause::MemoryFault {
                addr: 0x4020_0000,
                access: AccessKind::Execute,
                from: U
            }
        );
        assert!(matches!(
            decode(esr(ec::DABT_LOWER, ISS_FNV), 0x1234, 0, U),
            TrapCause::MemoryFault { addr: 0, .. }
        ));
    }

    #[test]
    fn alignment_faults_name_the_address() {
        assert_eq!(
            decode(esr(ec::PC_ALIGN, 0), 0x40_0002, 0, U),
            TrapCause::Misaligned {
                addr: 0x40_0002,
                access: AccessKind::Execute
            }
        );
        assert_eq!(
            decode(esr(ec::SP_ALIGN, 0), 0, 0x3fff_fff8, U),
            TrapCause::Misaligned {
                addr: 0x3fff_fff8,
                access: AccessKind::Read
            }
        );
        assert_eq!(
            decode(esr(ec::DABT_LOWER, ISS_WNR | DFSC_ALIGNMENT), 0x11, 0, U),
            TrapCause::Misaligned {
                addr: 0x11,
                access: AccessKind::Write
            }
        );
    }

    #[test]
    fn brk_is_a_breakpoint_and_unknown_classes_are_other() {
        assert_eq!(decode(esr(ec::BRK64, 0), 0, 0, U), TrapCause::Breakpoint);
        assert_eq!(
            decode(esr(0x2f, 0), 0, 0, U),
            TrapCause::Other(esr(0x2f, 0) as usize)
        );
    }

    #[test]
    fn slots_name_their_group_and_kind() {
        assert_eq!(Slot::EL0_SYNC.from(), From::El0);
        assert_eq!(Slot::EL0_SYNC.kind(), Kind::Sync);
        assert_eq!(Slot::EL1_IRQ.from(), From::El1);
        assert_eq!(Slot::EL1_IRQ.kind(), Kind::Irq);
        assert_eq!(Slot(3).from(), From::El1Sp0);
        assert_eq!(Slot(3).kind(), Kind::SError);
        assert_eq!(Slot(14).from(), From::El0Aarch32);
        assert_eq!(Slot(14).kind(), Kind::Fiq);
    }
}

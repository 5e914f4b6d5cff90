//! `scause` + `stval` -> [`TrapCause`].
//!
//! Pure functions, tested on the host. RISC-V reports both "unknown opcode"
//! and "not allowed in this mode" as exception 2 (illegal instruction); QEMU
//! and most harts put the instruction bits in `stval`, so [`decode`] looks at
//! them to tell a privileged instruction (a CSR of S- or M-mode, `sret`,
//! `mret`, `wfi`, `sfence.vma`) from garbage.

use ldex_core::{AccessKind, Privilege, TrapCause};

/// The interrupt bit of `scause` (its top bit).
pub const INTERRUPT: usize = 1 << (usize::BITS - 1);

/// Supervisor software interrupt: an IPI (SBI `send_ipi` raises it).
pub const IRQ_S_SOFT: usize = 1;
/// Supervisor timer interrupt.
pub const IRQ_S_TIMER: usize = 5;
/// Supervisor external interrupt.
pub const IRQ_S_EXTERNAL: usize = 9;

/// `scause` of an `ecall` from U-mode (only U-mode raises it), which
/// [`decode`] maps to [`TrapCause::Syscall`]; the trap dispatch tests it
/// first, before decoding anything.
pub const ECALL_FROM_USER: usize = exc::ECALL_U;

/// Exception codes of the privileged spec, table 4.2.
pub(crate) mod exc {
    pub const INSN_MISALIGNED: usize = 0;
    pub const INSN_ACCESS: usize = 1;
    pub const ILLEGAL: usize = 2;
    pub const BREAKPOINT: usize = 3;
    pub const LOAD_MISALIGNED: usize = 4;
    pub const LOAD_ACCESS: usize = 5;
    pub const STORE_MISALIGNED: usize = 6;
    pub const STORE_ACCESS: usize = 7;
    pub const ECALL_U: usize = 8;
    pub const INSN_PAGE: usize = 12;
    pub const LOAD_PAGE: usize = 13;
    pub const STORE_PAGE: usize = 15;
}

/// Decode one trap. `from` is where it was taken (from `sstatus.SPP`).
pub fn decode(scause: usize, stval: usize, from: Privilege) -> TrapCause {
    if scause & INTERRUPT != 0 {
        return match scause & !INTERRUPT {
            IRQ_S_SOFT => TrapCause::Ipi,
            IRQ_S_TIMER => TrapCause::Timer,
            IRQ_S_EXTERNAL => TrapCause::External(IRQ_S_EXTERNAL as u32),
            _ => TrapCause::Other(scause),
        };
    }
    let fault = |access| TrapCause::MemoryFault {
        addr: stval,
        access,
        from,
    };
    match scause {
        exc::ECALL_U => TrapCause::Syscall,
        exc::INSN_MISALIGNED => TrapCause::Misaligned {
            addr: stval,
            access: AccessKind::Execute,
        },
        exc::LOAD_MISALIGNED => TrapCause::Misaligned {
            addr: stval,
            access: AccessKind::Read,
        },
        exc::STORE_MISALIGNED => TrapCause::Misaligned {
            addr: stval,
            access: AccessKind::Write,
        },
        exc::INSN_ACCESS | exc::INSN_PAGE => fault(AccessKind::Execute),
        exc::LOAD_ACCESS | exc::LOAD_PAGE => fault(AccessKind::Read),
        exc::STORE_ACCESS | exc::STORE_PAGE => fault(AccessKind::Write),
        exc::BREAKPOINT => TrapCause::Breakpoint,
        exc::ILLEGAL if is_privileged(stval) => TrapCause::PrivilegedInstruction,
        exc::ILLEGAL => TrapCause::IllegalInstruction,
        _ => TrapCause::Other(scause),
    }
}

const OPCODE_SYSTEM: u32 = 0b111_0011;
const SRET: u32 = 0x1020_0073;
const MRET: u32 = 0x3020_0073;
const WFI: u32 = 0x1050_0073;
const FUNCT7_SFENCE_VMA: u32 = 0b000_1001;

/// Is `insn` a SYSTEM instruction that needs more than U-mode: a CSR access
/// whose address names an S-, H- or M-mode CSR (bits 29:28 nonzero), or one
/// of `sret`, `mret`, `wfi`, `sfence.vma`?
pub fn is_privileged(insn: usize) -> bool {
    // stval is XLEN wide; an instruction is its low 32 bits.
    let insn = insn as u32;
    if insn & 0x7f != OPCODE_SYSTEM {
        return false;
    }
    let funct3 = (insn >> 12) & 7;
    if funct3 != 0 {
        let csr_privilege = (insn >> 28) & 3;
        return csr_privilege != 0;
    }
    matches!(insn, SRET | MRET | WFI) || insn >> 25 == FUNCT7_SFENCE_VMA
}

#[cfg(test)]
mod tests {
    use super::*;

    const U: Privilege = Privilege::User;

    /// `csrw csr, t0` (csrrw x0, csr, t0).
    const fn csrw(csr: usize) -> usize {
        (csr << 20) | (5 << 15) | (1 << 12) | OPCODE_SYSTEM as usize
    }

    #[test]
    fn ecall_from_u_is_a_syscall_the_s_timer_the_timer_and_the_s_soft_interrupt_an_ipi() {
        assert_eq!(decode(8, 0, U), TrapCause::Syscall);
        assert_eq!(
            decode(INTERRUPT | 5, 0, Privilege::Kernel),
            TrapCause::Timer
        );
        assert_eq!(decode(INTERRUPT | 9, 0, U), TrapCause::External(9));
        assert_eq!(decode(INTERRUPT | 1, 0, U), TrapCause::Ipi);
        assert_eq!(decode(INTERRUPT | 3, 0, U), TrapCause::Other(INTERRUPT | 3));
    }

    #[test]
    fn the_dispatch_fast_path_cause_is_the_only_one_decoding_to_syscall() {
        for stval in [0, usize::MAX] {
            for from in [U, Privilege::Kernel] {
                assert_eq!(decode(ECALL_FROM_USER, stval, from), TrapCause::Syscall);
            }
        }
        for scause in (0..64).chain((0..64).map(|c| INTERRUPT | c)) {
            if scause != ECALL_FROM_USER {
                assert_ne!(decode(scause, 0, U), TrapCause::Syscall, "{scause:#x}");
            }
        }
    }

    #[test]
    fn page_faults_carry_address_access_and_origin() {
        let f = decode(13, 0x8020_0000, U);
        assert_eq!(
            f,
            TrapCause::MemoryFault {
                addr: 0x8020_0000,
                access: AccessKind::Read,
                from: U
            }
        );
        assert!(matches!(
            decode(15, 0, U),
            TrapCause::MemoryFault {
                access: AccessKind::Write,
                ..
            }
        ));
        assert!(matches!(
            decode(12, 0, U),
            TrapCause::MemoryFault {
                access: AccessKind::Execute,
                ..
            }
        ));
        assert!(matches!(
            decode(7, 0, U),
            TrapCause::MemoryFault {
                access: AccessKind::Write,
                ..
            }
        ));
    }

    #[test]
    fn writes_to_stvec_satp_sstatus_and_sret_wfi_are_privileged() {
        for csr in [0x105, 0x180, 0x100, 0x14d, 0x300] {
            assert_eq!(
                decode(2, csrw(csr), U),
                TrapCause::PrivilegedInstruction,
                "csr {csr:#x}"
            );
        }
        for insn in [SRET, MRET, WFI, 0x1200_0073] {
            assert_eq!(
                decode(2, insn as usize, U),
                TrapCause::PrivilegedInstruction,
                "{insn:#x}"
            );
        }
    }

    #[test]
    fn garbage_and_user_csrs_are_illegal_not_privileged() {
        assert_eq!(decode(2, 0, U), TrapCause::IllegalInstruction);
        assert_eq!(decode(2, 0xffff_ffff, U), TrapCause::IllegalInstruction);
        // csrw cycle (0xc00) is read-only but a user CSR.
        assert_eq!(decode(2, csrw(0xc00), U), TrapCause::IllegalInstruction);
        // ecall and ebreak are SYSTEM with funct3 0 but not privileged.
        assert!(!is_privileged(0x0000_0073));
        assert!(!is_privileged(0x0010_0073));
    }

    #[test]
    fn misaligned_and_unknown_exceptions_are_reported_as_such() {
        assert_eq!(
            decode(6, 0x1001, U),
            TrapCause::Misaligned {
                addr: 0x1001,
                access: AccessKind::Write
            }
        );
        assert_eq!(decode(3, 0, U), TrapCause::Breakpoint);
        assert_eq!(decode(9, 0, Privilege::Kernel), TrapCause::Other(9));
    }
}

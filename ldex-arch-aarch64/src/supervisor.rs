//! What EL0 may not do, and what EL1 may not do to EL0's memory:
//! `SCTLR_EL1`'s EL0 controls and PAN.
//!
//! [`lock_down`] clears every `SCTLR_EL1` bit that lets EL0 reach past its
//! own registers and memory, and sets the stack alignment checks:
//!
//! | bit | set to | what EL0 gets |
//! |-----|--------|---------------|
//! | UMA (9) | 0 | `msr daifset`/`daifclr` trap (EC 0x18): EL0 cannot mask interrupts |
//! | UCI (26) | 0 | `dc cvau`, `dc civac`, `ic ivau` trap: no cache maintenance |
//! | DZE (14) | 0 | `dc zva` traps (and `DCZID_EL0.DZP` says so, which libcs read) |
//! | nTWI (16), nTWE (18) | 0 | `wfi`, `wfe` trap (EC 0x01): EL0 cannot idle the CPU |
//! | UCT (15) | 1 | `CTR_EL0` (cache geometry) is readable, as on Linux, which glibc reads |
//! | SA0 (4), SA (3) | 1 | a load or store through a misaligned sp faults (EC 0x26), at EL0 and EL1 |
//!
//! PAN (ARMv8.1, `ID_AA64MMFR1_EL1.PAN`), where the CPU has it, makes every
//! EL1 data access to an EL0-accessible page fault, like x86's SMAP and
//! RISC-V's `sstatus.SUM` clear: the kernel reaches user memory only inside
//! [`with_user_access`], which clears `PSTATE.PAN`
//! for the copy. SPAN is cleared too, so every exception entry sets PAN
//! again: a handler never inherits the access of a copy it interrupted
//! (the CPU saves PAN in `SPSR_EL1`, and `eret` puts it back), which
//! RISC-V's entry does by hand with `sstatus.SUM`. The Cortex-A72 (ARMv8.0) has no PAN: there the bracket does
//! nothing, and only the page tables (kernel pages not EL0-accessible, user
//! pages never EL1-executable) separate the two.

use core::sync::atomic::{AtomicBool, Ordering};

use ldex_core::BootToken;

use crate::sysreg;

const SA: u64 = 1 << 3;
const SA0: u64 = 1 << 4;
const UMA: u64 = 1 << 9;
const DZE: u64 = 1 << 14;
const UCT: u64 = 1 << 15;
const NTWI: u64 = 1 << 16;
const NTWE: u64 = 1 << 18;
/// `SPAN` (ARMv8.1): 0 sets PAN on every exception to EL1. RES1 before.
const SPAN: u64 = 1 << 23;
const UCI: u64 = 1 << 26;

/// Does this CPU have PAN (found by [`lock_down`])?
static PAN: AtomicBool = AtomicBool::new(false);

/// What [`lock_down`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Features {
    /// PAN is implemented, and now on.
    pub pan: bool,
}

/// Lock EL0 out as the module docs say, and turn PAN on where the CPU has
/// it. Boot code calls it once per CPU, before the first process runs.
pub fn lock_down(_token: &BootToken) -> Features {
    let pan = (sysreg::read!("id_aa64mmfr1_el1") >> 20) & 0xf != 0;
    let mut sctlr = sysreg::read!("sctlr_el1");
    sctlr &= !(UMA | UCI | DZE | NTWI | NTWE);
    sctlr |= UCT | SA0 | SA;
    if pan {
        sctlr &= !SPAN;
    }
    // SAFETY: the token proves boot code at EL1; these bits only narrow
    // what EL0 may do and add alignment checks the kernel's code passes
    // (its sp stays 16-aligned, as AAPCS64 requires).
    unsafe {
        sysreg::write!("sctlr_el1", sctlr);
        core::arch::asm!("isb", options(nostack));
    }
    if pan {
        set_pan(true);
        PAN.store(true, Ordering::Relaxed);
    }
    Features { pan }
}

/// `msr pan, #1` or `#0`, by encoding (the assemblers of the soft-float
/// target know PAN only with `+pan`).
fn set_pan(on: bool) {
    // SAFETY: only PSTATE.PAN changes, which narrows or widens EL1's access
    // to EL0 pages; no mapping changes.
    unsafe {
        if on {
            core::arch::asm!(".inst 0xd500419f", options(nostack));
        } else {
            core::arch::asm!(".inst 0xd500409f", options(nostack));
        }
    }
}

/// Run `f` with PAN cleared (where the CPU has PAN), so it may read and
/// write user pages (only ranges a `UserSlice` check approved). PAN is set
/// again after.
pub fn with_user_access<R>(f: impl FnOnce() -> R) -> R {
    let pan = PAN.load(Ordering::Relaxed);
    if pan {
        set_pan(false);
    }
    let r = f();
    if pan {
        set_pan(true);
    }
    r
}

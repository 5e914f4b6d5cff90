//! What ring 0 refuses to do or show: CR4's SMEP, SMAP and UMIP, each
//! turned on where CPUID offers it.
//!
//! * **SMEP**: ring 0 never executes a user page.
//! * **SMAP**: ring 0 never reads or writes a user page unless RFLAGS.AC is
//!   set. [`with_user_access`] is the only place that sets it (`stac`) and it
//!   clears it again (`clac`) before returning. The kernel must never run
//!   with a user-chosen AC: `syscall` clears it through SFMASK, and every
//!   IDT entry (an interrupt, an exception, `int 0x80`) calls
//!   `clear_user_access` before its Rust handler touches anything, since
//!   the CPU keeps AC from ring 3 (where `popfq` may set it) or from the
//!   interrupted copy. `iretq` restores the interrupted AC with the frame's
//!   RFLAGS, so an interrupted copy resumes with its access.
//! * **UMIP**: `sgdt`, `sidt`, `sldt`, `smsw` and `str` raise #GP in ring 3
//!   instead of telling a process where the kernel's descriptor tables are.
//! * **NX** ([`enable_nx`]): page tables may mark pages non-executable, for
//!   user data and for the kernel's own (its W^X), and #PF reports
//!   instruction fetches (the I/D bit). The trap table turns it on; a kernel
//!   that builds page tables with NX bits before that calls it first.

use core::sync::atomic::{AtomicBool, Ordering};

use ldex_core::BootToken;
use x86_64::registers::control::{Cr4, Cr4Flags};
use x86_64::registers::model_specific::{Efer, EferFlags};

use crate::cpuid::cpuid;

/// Is CR4.SMAP on (so `stac`/`clac` exist and matter)?
static SMAP: AtomicBool = AtomicBool::new(false);

/// CPUID leaf 7 bits: EBX.7 SMEP, EBX.20 SMAP, ECX.2 UMIP.
const SMEP_BIT: u32 = 1 << 7;
const SMAP_BIT: u32 = 1 << 20;
const UMIP_BIT: u32 = 1 << 2;

/// Turn on whichever of SMEP, SMAP and UMIP the CPU has.
///
/// # Safety
/// Boot code, ring 0, once per CPU, before any process runs (from then on
/// the kernel reaches user memory only through [`with_user_access`]).
pub(crate) unsafe fn init() {
    let leaf7 = cpuid(7, 0);
    let smap = leaf7.ebx & SMAP_BIT != 0;
    // SAFETY: each bit is set only where CPUID reports it; none changes a
    // mapping, and the kernel's own accesses to user pages go through
    // `with_user_access` (the caller's promise).
    unsafe {
        Cr4::update(|cr4| {
            cr4.set(
                Cr4Flags::SUPERVISOR_MODE_EXECUTION_PROTECTION,
                leaf7.ebx & SMEP_BIT != 0,
            );
            cr4.set(Cr4Flags::SUPERVISOR_MODE_ACCESS_PREVENTION, smap);
            cr4.set(
                Cr4Flags::USER_MODE_INSTRUCTION_PREVENTION,
                leaf7.ecx & UMIP_BIT != 0,
            );
        });
    }
    SMAP.store(smap, Ordering::Relaxed);
}

/// Turn on EFER.NXE where CPUID offers NX (leaf 0x8000_0001, EDX bit 20);
/// says whether it is on. Boot code only (the token); calling it again is
/// harmless.
pub fn enable_nx(_token: &BootToken) -> bool {
    let nx = cpuid(0x8000_0001, 0).edx & (1 << 20) != 0;
    if nx {
        // SAFETY: the token proves ring-0 boot code; NXE only gives page
        // table bit 63 its meaning (a table setting it would fault without).
        unsafe { Efer::update(|efer| efer.insert(EferFlags::NO_EXECUTE_ENABLE)) };
    }
    nx
}

/// Run `f`, which reads or writes user memory a `UserSlice` check approved,
/// with SMAP lifted (`stac`) and put back (`clac`) after it. Without SMAP it
/// just runs `f`.
pub fn with_user_access<R>(f: impl FnOnce() -> R) -> R {
    let smap = SMAP.load(Ordering::Relaxed);
    // Neither asm is `nomem`: each must be a compiler barrier, or `f`'s
    // user accesses may be moved out of the bracket (a copy sunk below the
    // `clac` faulted under SMAP in the libc boot).
    if smap {
        // SAFETY: `stac` only sets RFLAGS.AC (SMAP is on, so it exists).
        unsafe { core::arch::asm!("stac", options(nostack)) };
    }
    let r = f();
    if smap {
        // SAFETY: `clac` only clears RFLAGS.AC.
        unsafe { core::arch::asm!("clac", options(nostack)) };
    }
    r
}

/// Put SMAP back in force (clear RFLAGS.AC) at a trap entry: the CPU keeps
/// whatever AC the interrupted code had.
pub(crate) fn clear_user_access() {
    if SMAP.load(Ordering::Relaxed) {
        // SAFETY: `clac` only clears RFLAGS.AC.
        unsafe { core::arch::asm!("clac", options(nomem, nostack)) };
    }
}

//! What S-mode refuses to touch: user pages outside the one accessor, the
//! RISC-V counterpart of x86_64's SMAP (`ldex_arch_x86_64::supervisor`).
//!
//! `sstatus.SUM` (permit supervisor user memory access) is clear while the
//! kernel runs, so a load or store to a U page faults in S-mode.
//! [`with_user_access`] is the only place that sets it, and it clears it
//! again before returning. The trap entry clears it too after saving
//! `sstatus` (see [`crate::entry`]), so a handler never inherits the access
//! of a copy it interrupted; the exit restores it from the frame.

use crate::csr;
use crate::frame::SSTATUS_SUM;

/// Run `f`, which reads or writes user memory a `UserSlice` check approved,
/// with `sstatus.SUM` set, and clear it again after.
pub fn with_user_access<R>(f: impl FnOnce() -> R) -> R {
    // SAFETY: SUM only widens what S-mode may access to the user pages of
    // the current address space; no kernel mapping changes.
    unsafe { csr::set!("sstatus", SSTATUS_SUM) };
    let r = f();
    // SAFETY: as above, narrowing it back.
    unsafe { csr::clear!("sstatus", SSTATUS_SUM) };
    r
}

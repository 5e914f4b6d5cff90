//! The timer: the generic timer's EL1 virtual timer (`CNTV_*`).
//!
//! The clock is the virtual count `CNTVCT_EL0`, at `CNTFRQ_EL0` Hz (62.5
//! MHz on QEMU `virt`). A deadline is a compare value (`CNTV_CVAL_EL0`):
//! once the count reaches it, the timer raises its PPI
//! ([`crate::gic::VIRTUAL_TIMER`]) and keeps it raised until the compare value
//! moves past the count or the timer is disabled. The virtual timer rather
//! than the physical one: it is the one an EL1 kernel owns whether or not a
//! hypervisor runs below it.
//!
//! `CNTKCTL_EL1` (set by [`Timer::new`]) denies EL0 every timer register
//! and the physical count; EL0 may read the virtual count, as on Linux (the
//! clock of the vDSO) and as RISC-V's `scounteren.TM` allows `rdtime`.

use ldex_core::BootToken;

use crate::sysreg;

/// `CNTV_CTL_EL0.ENABLE`: the timer compares.
const CTL_ENABLE: u64 = 1 << 0;
/// `CNTKCTL_EL1.EL0VCTEN`: EL0 may read `CNTVCT_EL0`. Every other bit
/// (EL0PCTEN, EL0VTEN, EL0PTEN, the event stream) stays clear.
const CNTKCTL_EL0VCTEN: u64 = 1 << 1;

/// The CPU's virtual timer.
#[derive(Debug)]
pub struct Timer {
    hz: u64,
}

impl Timer {
    /// Disarm the timer, lock EL0 out of it and read its frequency. The
    /// GIC must be up ([`crate::gic::init`]), which enabled the PPI.
    pub fn new(_token: &BootToken) -> Timer {
        // SAFETY: the token proves boot code at EL1; CNTKCTL_EL1 only
        // narrows what EL0 may reach.
        unsafe { sysreg::write!("cntkctl_el1", CNTKCTL_EL0VCTEN) };
        let t = Timer {
            hz: sysreg::read!("cntfrq_el0"),
        };
        ldex_core::Timer::disarm(&t);
        t
    }
}

/// The virtual count. `isb` first, so the read is not taken early.
pub fn now() -> u64 {
    let count: u64;
    // SAFETY: reading the counter has no side effect.
    unsafe {
        core::arch::asm!("isb", "mrs {}, cntvct_el0", out(reg) count, options(nomem, nostack));
    }
    count
}

impl ldex_core::Timer for Timer {
    fn frequency_hz(&self) -> u64 {
        self.hz
    }

    fn now(&self) -> u64 {
        now()
    }

    fn set_deadline(&self, deadline: u64) {
        // SAFETY: the compare value and the enable bit only decide when the
        // timer's PPI rises; `isb` makes the new deadline count at once.
        unsafe {
            sysreg::write!("cntv_cval_el0", deadline);
            sysreg::write!("cntv_ctl_el0", CTL_ENABLE);
            core::arch::asm!("isb", options(nomem, nostack));
        }
    }

    fn disarm(&self) {
        // SAFETY: disabling the timer lowers its PPI; nothing else changes.
        unsafe {
            sysreg::write!("cntv_ctl_el0", 0);
            core::arch::asm!("isb", options(nomem, nostack));
        }
    }
}

//! [`Riscv`]: ldex-core's [`Arch`] for a RISC-V hart in S-mode.
//!
//! Interrupts are `sstatus.SIE`. Switching to a process writes its `satp`
//! (then `sfence.vma`, as the kernel half of every address space is the
//! same but the user half is not) and loads its FP state; the kernel stack
//! top is remembered so [`Arch::leave_process`] can find the user frame whose
//! `sstatus.FS` says whether to save FP registers. `sscratch` itself is set
//! by the exit path from the frame's address (see [`crate::trap`]).

use core::mem::size_of;
use core::sync::atomic::{AtomicUsize, Ordering};

use ldex_core::Arch;
use ldex_core::sync::Interrupts;

use crate::context::Context;
use crate::csr;
use crate::fpu::{self, FpState};
use crate::frame::{SSTATUS_SIE, SSTATUS_SUM, TrapFrame};
use crate::satp::Satp;
use crate::timer::Timer;
use crate::trap::{self, TrapTable};

/// The kernel stack top of the process the CPU runs (single hart).
static CURRENT_KSTACK_TOP: AtomicUsize = AtomicUsize::new(0);

/// The RISC-V architecture (S-mode, one hart).
#[derive(Debug)]
pub enum Riscv {}

impl Riscv {
    /// Clear `sstatus.SIE`; say whether it was set.
    pub fn disable() -> bool {
        let old: usize;
        // SAFETY: only changes SIE.
        unsafe {
            core::arch::asm!("csrrci {0}, sstatus, {sie}", out(reg) old, sie = const SSTATUS_SIE, options(nostack));
        }
        old & SSTATUS_SIE != 0
    }

    /// Set `sstatus.SIE` again if `was_enabled`.
    pub fn restore(was_enabled: bool) {
        if was_enabled {
            csr::set!("sstatus", SSTATUS_SIE);
        }
    }
}

/// Run `f` with `sstatus.SUM` set, so it may read and write user pages
/// (only ranges a `UserSlice` check approved). SUM is cleared again after.
pub fn with_user_access<R>(f: impl FnOnce() -> R) -> R {
    csr::set!("sstatus", SSTATUS_SUM);
    let r = f();
    csr::clear!("sstatus", SSTATUS_SUM);
    r
}

impl Interrupts for Riscv {
    fn disable() -> bool {
        Riscv::disable()
    }
    fn restore(was_enabled: bool) {
        Riscv::restore(was_enabled)
    }
}

impl Arch for Riscv {
    type TrapFrame = TrapFrame;
    type Context = Context;
    type TrapTable = TrapTable;
    type Timer = Timer;
    type AddressSpace = Satp;
    type ProcessState = FpState;

    fn interrupts_enabled() -> bool {
        csr::read!("sstatus") & SSTATUS_SIE != 0
    }

    fn disable_interrupts() -> bool {
        Riscv::disable()
    }

    fn enable_interrupts() {
        csr::set!("sstatus", SSTATUS_SIE);
    }

    /// `wfi` with SIE still 0 wakes on any interrupt enabled in `sie` and
    /// pending, so one that arrives before the `wfi` is not lost; it is then
    /// taken the moment SIE is set.
    fn wait_for_interrupt() {
        // SAFETY: wfi and SIE only.
        unsafe {
            core::arch::asm!("wfi", "csrsi sstatus, {sie}", "csrci sstatus, {sie}", sie = const SSTATUS_SIE, options(nostack));
        }
    }

    unsafe fn enter_process(kstack_top: *mut u8, aspace: Option<Satp>, state: &mut FpState) {
        CURRENT_KSTACK_TOP.store(kstack_top as usize, Ordering::Relaxed);
        if let Some(satp) = aspace {
            csr::write!("satp", satp.bits());
            // SAFETY: flushes the TLB of this hart only.
            unsafe { core::arch::asm!("sfence.vma", options(nostack)) };
        }
        fpu::enter(state);
    }

    fn leave_process(state: &mut FpState) {
        let top = CURRENT_KSTACK_TOP.load(Ordering::Relaxed);
        if top == 0 {
            return;
        }
        // SAFETY: `enter_process` recorded the top of this process's kernel
        // stack, whose user frame stays valid until the process is reaped;
        // interrupts are off, so nothing else touches it now.
        let user = unsafe { &mut *((top - size_of::<TrapFrame>()) as *mut TrapFrame) };
        fpu::leave(state, user);
    }

    unsafe fn return_to_user(frame: *mut TrapFrame) -> ! {
        // SAFETY: forwarded contract.
        unsafe { trap::return_to_user(frame) }
    }
}

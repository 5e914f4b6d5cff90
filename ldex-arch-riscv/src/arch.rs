//! [`Riscv`]: ldex-core's [`Arch`] for a RISC-V hart in S-mode.
//!
//! Interrupts are `sstatus.SIE`. Switching to a process writes its `satp`
//! (then `sfence.vma`, as the kernel half of every address space is the
//! same but the user half is not) and loads its FP state; leaving it reads
//! the frame the protocol hands back, whose `sstatus.FS` says whether to
//! save FP registers. `sscratch` itself is set by the exit path from the
//! frame's address (see [`crate::entry`]), so entering a process needs no
//! kernel stack top.

use ldex_core::Arch;
use ldex_core::sync::Interrupts;

use crate::context::Context;
use crate::csr;
use crate::entry;
use crate::fpu::{self, FpuState};
use crate::frame::{SSTATUS_SIE, TrapFrame};
use crate::satp::Satp;
use crate::timer::Timer;
use crate::trap_table::TrapTable;

/// The RISC-V architecture (S-mode, one hart or many: see [`crate::smp`]).
#[derive(Debug)]
pub enum Riscv {}

impl Interrupts for Riscv {
    fn are_enabled() -> bool {
        csr::read!("sstatus") & SSTATUS_SIE != 0
    }

    fn enable() {
        // SAFETY: only SIE changes; the trap vector is installed before the
        // kernel enables interrupts.
        unsafe { csr::set!("sstatus", SSTATUS_SIE) };
    }

    fn disable() {
        // SAFETY: only SIE changes; running with fewer interrupts is safe.
        unsafe { csr::clear!("sstatus", SSTATUS_SIE) };
    }
}

impl Arch for Riscv {
    type TrapFrame = TrapFrame;
    type Context = Context;
    type TrapTable = TrapTable;
    type Timer = Timer;
    type AddressSpace = Satp;
    type ProcessState = FpuState;

    /// `tp`, which boot code set with [`smp::set_cpu_id`](crate::smp::set_cpu_id)
    /// and the trap entry keeps (see [`crate::entry`]).
    #[inline(always)]
    fn cpu_id() -> usize {
        crate::smp::cpu_id()
    }

    /// SBI `send_ipi` (see [`crate::smp`]).
    fn send_ipi(cpu: usize) {
        crate::smp::send_ipi(cpu);
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

    unsafe fn enter_process(frame: *mut TrapFrame, aspace: Option<Satp>, state: &mut FpuState) {
        // SAFETY: the caller vouches for the frame; the process is not
        // running, so nothing else reads or writes it now. Its next trap
        // from U-mode is taken on this hart and loads this tp.
        unsafe { (*frame).kernel_tp = crate::smp::cpu_id() };
        if let Some(satp) = aspace {
            // SAFETY: a `Satp` promises it maps the kernel as the current
            // address space does (see `Satp::new`), so the code running now
            // stays mapped; the fence makes the hart forget the old user
            // half, on this hart only.
            unsafe {
                csr::write!("satp", satp.bits());
                core::arch::asm!("sfence.vma", options(nostack));
            }
        }
        fpu::enter(state);
    }

    fn leave_process(frame: &mut TrapFrame, state: &mut FpuState) {
        fpu::leave(state, frame);
        // Off the process's page tables before another hart may take it
        // (see `kernel_space`).
        crate::kernel_space::enter(crate::smp::cpu_id());
    }

    /// A fresh [`FpuState`] has nothing saved, so loading it zeroes f0–f31
    /// and fcsr; the fresh frame's `sstatus.FS` is Initial again.
    fn restart_process(state: &mut FpuState) {
        *state = FpuState::default();
        fpu::enter(state);
    }

    unsafe fn return_to_user(frame: *mut TrapFrame) -> ! {
        // SAFETY: forwarded contract.
        unsafe { entry::return_to_user(frame) }
    }
}

//! [`Aarch64`]: ldex-core's [`Arch`] for a CPU at EL1 (one or many: see
//! [`crate::smp`]).
//!
//! Interrupts are `DAIF.I`. Switching to a process writes its `TTBR0_EL1`
//! (then invalidates the TLB, as the kernel half of every address space is
//! the same but the user half is not) and loads its [`ProcessState`]:
//! FP/SIMD registers ([`crate::fpu`]) and the user thread pointer
//! `TPIDR_EL0`, which EL0 may write and so is the process's. Leaving it
//! saves both. The kernel stack top needs no setting: the exit path leaves
//! it in `SP_EL1` (see [`crate::entry`]).

use ldex_core::Arch;
use ldex_core::sync::Interrupts;

use crate::context::Context;
use crate::entry;
use crate::fpu::{self, FpuState};
use crate::frame::TrapFrame;
use crate::sysreg;
use crate::timer::Timer;
use crate::trap_table::TrapTable;
use crate::ttbr::Ttbr0;

/// The AArch64 architecture (EL1 kernel, EL0 processes, one CPU or many).
#[derive(Debug)]
pub enum Aarch64 {}

/// What a process owns of the CPU beyond its trap frame.
#[derive(Clone, Debug, Default)]
pub struct ProcessState {
    fpu: FpuState,
    tpidr_el0: u64,
}

impl ProcessState {
    /// Its FP/SIMD registers.
    pub fn fpu(&self) -> &FpuState {
        &self.fpu
    }
}

impl Interrupts for Aarch64 {
    fn are_enabled() -> bool {
        sysreg::read!("daif") & crate::frame::SPSR_I == 0
    }

    fn enable() {
        // SAFETY: only PSTATE.I changes; the trap table is installed before
        // the kernel enables interrupts.
        unsafe { core::arch::asm!("msr daifclr, #2", options(nomem, nostack)) };
    }

    fn disable() {
        // SAFETY: only PSTATE.I changes; running with fewer interrupts is
        // safe.
        unsafe { core::arch::asm!("msr daifset, #2", options(nomem, nostack)) };
    }
}

impl Aarch64 {
    /// Load `state` into the CPU: FP (or FP off) and the thread pointer.
    fn enter_state(state: &ProcessState) {
        fpu::enter(&state.fpu);
        // SAFETY: TPIDR_EL0 is the user's own register; the kernel keeps
        // nothing there.
        unsafe { sysreg::write!("tpidr_el0", state.tpidr_el0) };
    }
}

impl Arch for Aarch64 {
    type TrapFrame = TrapFrame;
    type Context = Context;
    type TrapTable = TrapTable;
    type Timer = Timer;
    type AddressSpace = Ttbr0;
    type ProcessState = ProcessState;

    /// `TPIDR_EL1`, which boot code set with
    /// [`smp::set_cpu_id`](crate::smp::set_cpu_id) (see [`crate::smp`]).
    #[inline(always)]
    fn cpu_id() -> usize {
        crate::smp::cpu_id()
    }

    /// GICv2 SGI [`gic::IPI`](crate::gic::IPI) (see [`crate::smp`]).
    fn send_ipi(cpu: usize) {
        crate::smp::send_ipi(cpu);
    }

    /// `wfi` with IRQs masked still wakes on a pending IRQ, so one that
    /// arrives before the `wfi` is not lost; it is taken the moment
    /// `daifclr` unmasks it.
    fn wait_for_interrupt() {
        // SAFETY: wfi and PSTATE.I only.
        unsafe {
            core::arch::asm!(
                "wfi",
                "msr daifclr, #2",
                "msr daifset, #2",
                options(nomem, nostack)
            );
        }
    }

    unsafe fn enter_process(
        _frame: *mut TrapFrame,
        aspace: Option<Ttbr0>,
        state: &mut ProcessState,
    ) {
        if let Some(ttbr0) = aspace {
            // SAFETY: a `Ttbr0` promises it maps the kernel as the current
            // address space does (see `Ttbr0::new`), so the code running now
            // stays mapped; the TLB invalidation makes this CPU forget the
            // old user half.
            unsafe {
                sysreg::write!("ttbr0_el1", ttbr0.bits());
                core::arch::asm!("isb", "tlbi vmalle1", "dsb nsh", "isb", options(nostack));
            }
        }
        Self::enter_state(state);
    }

    fn leave_process(_frame: &mut TrapFrame, state: &mut ProcessState) {
        fpu::leave(&mut state.fpu);
        state.tpidr_el0 = sysreg::read!("tpidr_el0");
        // Off the process's page tables before another CPU may take it
        // (see `kernel_space`).
        crate::kernel_space::enter(crate::smp::cpu_id());
    }

    /// A fresh state: FP off, so the first FP instruction starts from zeros
    /// again ([`crate::fpu`]), and the thread pointer 0.
    fn restart_process(state: &mut ProcessState) {
        *state = ProcessState::default();
        Self::enter_state(state);
    }

    unsafe fn return_to_user(frame: *mut TrapFrame) -> ! {
        // SAFETY: forwarded contract.
        unsafe { entry::return_to_user(frame) }
    }
}

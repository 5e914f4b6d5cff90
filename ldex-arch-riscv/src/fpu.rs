//! Lazy FP state: f0–f31 and fcsr are saved only when `sstatus.FS` says the
//! process changed them.
//!
//! `sstatus.FS` is per process here: it is part of the saved `sstatus` in the
//! process's user [`TrapFrame`] (at the top of its kernel stack), and `sret`
//! puts it back in the hardware. The kernel itself never uses FP.
//!
//! * A new process starts with `FS = Initial` ([`TrapFrame::new_user`]
//!   sets it) and has no saved state.
//! * When the CPU leaves a process (`leave`, from `Arch::leave_process`),
//!   its user frame's FS tells whether the FP registers changed since they
//!   were last loaded: only on
//!   `Dirty` are they stored into its [`FpuState`], and the frame's FS becomes
//!   `Clean`. A process that never touches FP costs one load and one compare.
//! * When the CPU enters a process (`enter`, from `Arch::enter_process`),
//!   its registers are loaded from its [`FpuState`], or zeroed if it has none (so nothing leaks from
//!   the process that ran before), with `FS` made non-Off for the kernel
//!   for the duration. (Zeroing is not skipped when the registers "are
//!   already zero": a process restarted by `FaultPolicy::Restart` gets a
//!   fresh frame saying `FS = Initial` over registers it had dirtied, so
//!   only zeroing on every entry keeps them from leaking to the next.)
//! * When a process starts over (`FaultPolicy::Restart`, through
//!   `Arch::restart_process`), it goes straight back to user mode without a
//!   switch, so its [`FpuState`] is made fresh and loaded right there: the
//!   registers it dirtied before the fault are zeroed, not handed back.
//!
//! # The kernel's view of the FP registers
//! The loads in `enter` declare no FP register to the compiler. The
//! registers are the process's, not the kernel's, which keeps no FP value
//! in them; and declaring them written would be wrong: fs0–fs11 are
//! callee-saved in the psABI, so the compiler would save them on entry to
//! the function holding the asm and put them back on its return, undoing
//! the load for those twelve whenever that function is not the scheduler
//! loop itself (it did, for `Arch::restart_process`: `restart-clean` found
//! f8 still holding its pattern after a restart).
//!
//! The rv64 build assumes the D extension (riscv64gc, as on QEMU virt):
//! stable Rust does not expose `target_feature = "d"` to `cfg`, so the
//! split is by XLEN and the assembly enables D itself (`.option arch, +d`).
//! On rv32 (riscv32imac, no F or D) there is nothing to save:
//! new processes start with `FS = Off`, so any FP instruction is an illegal
//! instruction and ends the process, and [`FpuState`] is empty.
//!
//! [`TrapFrame::new_user`]: ldex_core::TrapFrame::new_user

#[cfg(any(target_arch = "riscv32", target_arch = "riscv64"))]
use crate::frame::TrapFrame;

/// The FP registers of one process ([`ldex_core::Arch::ProcessState`]).
#[derive(Clone, Debug, Default)]
pub struct FpuState {
    #[cfg(target_arch = "riscv64")]
    f: [u64; 32],
    #[cfg(target_arch = "riscv64")]
    fcsr: usize,
    #[cfg(target_arch = "riscv64")]
    saved: bool,
}

impl FpuState {
    /// Has this process ever had its FP registers saved?
    pub fn is_saved(&self) -> bool {
        cfg_if::cfg_if! {
            if #[cfg(target_arch = "riscv64")] { self.saved } else { false }
        }
    }
}

cfg_if::cfg_if! {
    if #[cfg(target_arch = "riscv64")] {
        use core::mem::offset_of;

        use crate::csr;
        use crate::frame::{FS_CLEAN, FS_DIRTY, SSTATUS_FS};

        /// Save the FP registers if `user` (the process's user frame) says
        /// they are Dirty.
        pub(crate) fn leave(state: &mut FpuState, user: &mut TrapFrame) {
            if user.fs() != FS_DIRTY {
                return;
            }
            // SAFETY: FS is Dirty in the hardware too (the kernel did not
            // change it), so FP instructions are allowed; stores go to `state`.
            unsafe {
                core::arch::asm!(
                    ".option push",
                    ".option arch, +d",
                    ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31",
                    "fsd f\\n, {f}+\\n*8({p})",
                    ".endr",
                    "frcsr {t}",
                    ".option pop",
                    p = in(reg) state as *mut FpuState,
                    f = const offset_of!(FpuState, f),
                    t = out(reg) state.fcsr,
                    options(nostack),
                );
            }
            state.saved = true;
            user.sstatus = (user.sstatus & !SSTATUS_FS) | FS_CLEAN;
        }

        /// Load the process's FP registers (or zeros).
        pub(crate) fn enter(state: &FpuState) {
            // SAFETY: only sstatus.FS changes, to Clean: FP instructions
            // become legal for the loads below; the process's own FS comes
            // back from its frame at `sret`.
            unsafe {
                csr::clear!("sstatus", SSTATUS_FS);
                csr::set!("sstatus", FS_CLEAN);
            }
            if state.saved {
                // SAFETY: FS is on; loads read `state`.
                unsafe {
                    core::arch::asm!(
                        ".option push",
                        ".option arch, +d",
                        ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31",
                        "fld f\\n, {f}+\\n*8({p})",
                        ".endr",
                        "fscsr {t}",
                        ".option pop",
                        p = in(reg) state as *const FpuState,
                        f = const offset_of!(FpuState, f),
                        t = in(reg) state.fcsr,
                        // No FP register is declared written: see "The
                        // kernel's view of the FP registers" above.
                        options(nostack),
                    );
                }
            } else {
                // SAFETY: FS is on; only FP registers change.
                unsafe {
                    core::arch::asm!(
                        ".option push",
                        ".option arch, +d",
                        ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31",
                        "fmv.d.x f\\n, zero",
                        ".endr",
                        "fscsr zero",
                        ".option pop",
                        // No FP register is declared written: see "The
                        // kernel's view of the FP registers" above.
                        options(nomem, nostack),
                    );
                }
            }
        }
    } else {
        /// Nothing to save without the D extension.
        #[cfg(target_arch = "riscv32")]
        pub(crate) fn leave(_state: &mut FpuState, _user: &mut TrapFrame) {}

        /// Nothing to load without the D extension.
        #[cfg(target_arch = "riscv32")]
        pub(crate) fn enter(_state: &FpuState) {}
    }
}

//! FP/SIMD state: q0–q31, FPCR and FPSR, switched lazily on first use and
//! eagerly after.
//!
//! AArch64 has no "dirty" bit like RISC-V's `sstatus.FS`, only a trap:
//! with `CPACR_EL1.FPEN` off, any FP or SIMD instruction traps (EC 0x07).
//! So:
//!
//! * A process starts with FPEN off, and [`FpuState::is_saved`] false.
//! * Its first FP instruction traps. The entry's dispatch calls
//!   `first_use`, which turns FPEN on and zeroes q0–q31, FPCR and FPSR
//!   (whatever the previous owner left there must not leak), then returns
//!   to the same instruction, which now runs. The sink never sees this
//!   trap.
//! * When the CPU leaves a process (`leave`, from `Arch::leave_process`)
//!   with FPEN on, the registers are saved into its [`FpuState`].
//! * When it enters one (`enter`, from `Arch::enter_process`) that has
//!   saved state, FPEN goes on and the registers are loaded; otherwise FPEN
//!   goes off, and the first-use trap starts it from zeros.
//!
//! A process that never touches FP costs one `msr` per switch; one that does
//! costs 512 bytes each way, like the eager x86_64 save. Lazy-until-first-use
//! rather than fully lazy (trap on every switch and save the previous
//! owner's registers then) because every switch is a suspend to the
//! scheduler and back here, where the next owner is not yet known, and a
//! trap per time slice would cost more than the save.
//!
//! The kernel itself never touches FP: it is built for
//! `aarch64-unknown-none-softfloat` (as Linux builds with
//! `-mgeneral-regs-only`), so user FP state is never clobbered between the
//! trap and the return, and FPEN off also traps a kernel FP instruction.

/// The FP/SIMD registers of one process.
#[repr(C, align(16))]
#[derive(Clone, Debug, Default)]
pub struct FpuState {
    q: [u128; 32],
    fpcr: u64,
    fpsr: u64,
    saved: bool,
}

impl FpuState {
    /// Has this process ever had its FP registers saved?
    pub fn is_saved(&self) -> bool {
        self.saved
    }
}

#[cfg(target_arch = "aarch64")]
pub(crate) use imp::{enter, first_use, leave};

#[cfg(target_arch = "aarch64")]
mod imp {
    use core::mem::offset_of;

    use super::FpuState;
    use crate::sysreg;

    /// `asm!` that writes every FP register: where the target has them
    /// (hard float), v0–v31 are declared clobbered, as the compiler may keep
    /// values there; the soft-float kernel has none to declare.
    macro_rules! fp_asm {
        ($($body:tt)*) => {
            #[cfg(target_feature = "neon")]
            core::arch::asm!(
                $($body)*
                out("v0") _, out("v1") _, out("v2") _, out("v3") _, out("v4") _, out("v5") _, out("v6") _, out("v7") _,
                out("v8") _, out("v9") _, out("v10") _, out("v11") _, out("v12") _, out("v13") _, out("v14") _, out("v15") _,
                out("v16") _, out("v17") _, out("v18") _, out("v19") _, out("v20") _, out("v21") _, out("v22") _, out("v23") _,
                out("v24") _, out("v25") _, out("v26") _, out("v27") _, out("v28") _, out("v29") _, out("v30") _, out("v31") _,
            );
            #[cfg(not(target_feature = "neon"))]
            core::arch::asm!($($body)*);
        };
    }

    /// `CPACR_EL1.FPEN` (bits 21:20): 0b11 lets EL0 and EL1 use FP/SIMD,
    /// 0b00 traps both.
    const FPEN: u64 = 0b11 << 20;

    fn fpen(on: bool) {
        // SAFETY: only whether FP/SIMD instructions trap changes; `isb`
        // makes the next instruction see it.
        unsafe {
            sysreg::write!("cpacr_el1", if on { FPEN } else { 0 });
            core::arch::asm!("isb", options(nomem, nostack));
        }
    }

    fn is_on() -> bool {
        sysreg::read!("cpacr_el1") & FPEN == FPEN
    }

    /// Save the registers if the process has FP on.
    pub(crate) fn leave(state: &mut FpuState) {
        if !is_on() {
            return;
        }
        // SAFETY: FPEN is on; the stores go to `state`.
        unsafe {
            core::arch::asm!(
                ".arch_extension fp",
                ".arch_extension simd",
                "stp q0, q1, [{p}, #{q} + 0 * 32]",
                "stp q2, q3, [{p}, #{q} + 1 * 32]",
                "stp q4, q5, [{p}, #{q} + 2 * 32]",
                "stp q6, q7, [{p}, #{q} + 3 * 32]",
                "stp q8, q9, [{p}, #{q} + 4 * 32]",
                "stp q10, q11, [{p}, #{q} + 5 * 32]",
                "stp q12, q13, [{p}, #{q} + 6 * 32]",
                "stp q14, q15, [{p}, #{q} + 7 * 32]",
                "stp q16, q17, [{p}, #{q} + 8 * 32]",
                "stp q18, q19, [{p}, #{q} + 9 * 32]",
                "stp q20, q21, [{p}, #{q} + 10 * 32]",
                "stp q22, q23, [{p}, #{q} + 11 * 32]",
                "stp q24, q25, [{p}, #{q} + 12 * 32]",
                "stp q26, q27, [{p}, #{q} + 13 * 32]",
                "stp q28, q29, [{p}, #{q} + 14 * 32]",
                "stp q30, q31, [{p}, #{q} + 15 * 32]",
                "mrs {t}, fpcr",
                "str {t}, [{p}, #{fpcr}]",
                "mrs {t}, fpsr",
                "str {t}, [{p}, #{fpsr}]",
                p = in(reg) state as *mut FpuState,
                t = out(reg) _,
                q = const offset_of!(FpuState, q),
                fpcr = const offset_of!(FpuState, fpcr),
                fpsr = const offset_of!(FpuState, fpsr),
                options(nostack),
            );
        }
        state.saved = true;
    }

    /// Load the process's registers and turn FP on, or turn it off for a
    /// process that has none yet.
    pub(crate) fn enter(state: &FpuState) {
        fpen(state.saved);
        if !state.saved {
            return;
        }
        // SAFETY: FPEN is on; the loads read `state`, and only FP registers
        // change (the kernel, soft-float, keeps nothing in them).
        unsafe {
            fp_asm!(
                ".arch_extension fp",
                ".arch_extension simd",
                "ldp q0, q1, [{p}, #{q} + 0 * 32]",
                "ldp q2, q3, [{p}, #{q} + 1 * 32]",
                "ldp q4, q5, [{p}, #{q} + 2 * 32]",
                "ldp q6, q7, [{p}, #{q} + 3 * 32]",
                "ldp q8, q9, [{p}, #{q} + 4 * 32]",
                "ldp q10, q11, [{p}, #{q} + 5 * 32]",
                "ldp q12, q13, [{p}, #{q} + 6 * 32]",
                "ldp q14, q15, [{p}, #{q} + 7 * 32]",
                "ldp q16, q17, [{p}, #{q} + 8 * 32]",
                "ldp q18, q19, [{p}, #{q} + 9 * 32]",
                "ldp q20, q21, [{p}, #{q} + 10 * 32]",
                "ldp q22, q23, [{p}, #{q} + 11 * 32]",
                "ldp q24, q25, [{p}, #{q} + 12 * 32]",
                "ldp q26, q27, [{p}, #{q} + 13 * 32]",
                "ldp q28, q29, [{p}, #{q} + 14 * 32]",
                "ldp q30, q31, [{p}, #{q} + 15 * 32]",
                "ldr {t}, [{p}, #{fpcr}]",
                "msr fpcr, {t}",
                "ldr {t}, [{p}, #{fpsr}]",
                "msr fpsr, {t}",
                p = in(reg) state as *const FpuState,
                t = out(reg) _,
                q = const offset_of!(FpuState, q),
                fpcr = const offset_of!(FpuState, fpcr),
                fpsr = const offset_of!(FpuState, fpsr),
                options(nostack),
            );
        }
    }

    /// The running process's first FP instruction trapped: turn FP on with
    /// every register zero, so it starts clean and sees nothing of the
    /// process that used them before.
    pub(crate) fn first_use() {
        fpen(true);
        // SAFETY: FPEN is on; only FP registers change.
        unsafe {
            fp_asm!(
                ".arch_extension fp",
                ".arch_extension simd",
                ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31",
                // Writing d<n> zeroes the upper half of q<n> too.
                "movi d\\n, #0",
                ".endr",
                "msr fpcr, xzr",
                "msr fpsr, xzr",
                options(nomem, nostack),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::mem::{align_of, offset_of};

    #[test]
    fn the_registers_are_16_aligned_for_stp_of_q_registers() {
        assert_eq!(align_of::<FpuState>(), 16);
        assert_eq!(offset_of!(FpuState, q), 0);
        assert_eq!(offset_of!(FpuState, fpcr), 512);
        assert!(!FpuState::default().is_saved());
    }
}

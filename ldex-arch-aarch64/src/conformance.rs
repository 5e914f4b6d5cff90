//! The AArch64 glue of the conformance kit (`ldex-conformance`): which
//! frame slot is which register, and the callee-saved register probe.
//!
//! Under qemu-user (aarch64 Linux) the unit tests run the kit's context and
//! frame checks (the switch touches no system register); a kernel in QEMU
//! runs the trap checks.

use ldex_conformance::{Backend, Hop};

use crate::Aarch64;
use crate::context::Context;
use crate::frame::{GPR_NAMES, TrapFrame, X0, X8};

/// The conformance kit's backend for [`Aarch64`].
#[derive(Debug)]
pub enum Kit {}

/// The index of `sp` in [`Kit`]'s numbering: after x0–x30.
const SP: usize = 31;

// SAFETY: `probe` fills and checks x19-x29 (and d8-d15 where the target has
// FP registers), every callee-saved register of AAPCS64 but x30, which is
// checked by the probe returning at all, and sp. The indices are those of
// `GPR_NAMES`.
unsafe impl Backend for Kit {
    type Arch = Aarch64;

    const REGISTERS: &'static [&'static str] = &GPR_NAMES;
    const STACK_POINTER: usize = SP;
    const SYSCALL_NUMBER: usize = X8;
    const SYSCALL_ARGS: [usize; 6] = [X0, X0 + 1, X0 + 2, X0 + 3, X0 + 4, X0 + 5];
    const SYSCALL_RETURN: usize = X0;
    /// `svc` and `eret` change no general register.
    const TRAP_CLOBBERS: &'static [usize] = &[];

    fn register(frame: &TrapFrame, index: usize) -> usize {
        if index == SP {
            frame.sp as usize
        } else {
            frame.regs[index] as usize
        }
    }

    fn set_register(frame: &mut TrapFrame, index: usize, value: usize) {
        if index == SP {
            frame.sp = value as u64;
        } else {
            frame.regs[index] = value as u64;
        }
    }

    /// `svc` is 4 bytes, as every A64 instruction.
    const SYSCALL_LENGTH: usize = 4;

    unsafe fn probe(hop: Hop<Context>, a: *mut Context, b: *mut Context, seed: usize) -> u32 {
        // SAFETY: the caller's contract is hop's; probe restores every
        // callee-saved register it uses.
        unsafe { probe(hop, a, b, seed) }
    }
}

/// The probe's naked body: `$fill` and `$check` are the extra lines for
/// d8–d15 where the target has them.
macro_rules! probe {
    ($($fp:literal)*; $($check:literal)*) => {
        /// Fill x19–x29 with `seed + 0..11` (and d8–d15 with `seed +
        /// 11..19`), `hop(a, b)`, and return bit i set for each callee-saved
        /// register i that changed (x19 is bit 0, d8 bit 11), bit 31 if sp
        /// moved.
        ///
        /// ```text
        ///   sp + 0     x29, x30
        ///   sp + 16    x19 .. x28 of the caller
        ///   sp + 96    d8 .. d15 of the caller
        ///   sp + 160   sp before the hop
        ///   sp + 168   seed
        /// ```
        #[unsafe(naked)]
        unsafe extern "C" fn probe(
            hop: Hop<Context>,
            a: *mut Context,
            b: *mut Context,
            seed: usize,
        ) -> u32 {
            core::arch::naked_asm!(
                "sub sp, sp, #224",
                "stp x29, x30, [sp, #0]",
                "stp x19, x20, [sp, #16]",
                "stp x21, x22, [sp, #32]",
                "stp x23, x24, [sp, #48]",
                "stp x25, x26, [sp, #64]",
                "stp x27, x28, [sp, #80]",
                $($fp,)*
                "mov x9, sp",
                "str x9, [sp, #160]",
                "str x3, [sp, #168]",
                "mov x9, x0",
                "mov x0, x1",
                "mov x1, x2",
                ".irp n, 19,20,21,22,23,24,25,26,27,28,29",
                "add x\\n, x3, #(\\n - 19)",
                ".endr",
                // The hop: returns here when the other side hops back.
                "blr x9",
                "mov x0, #0",
                "ldr x10, [sp, #168]",
                ".irp n, 19,20,21,22,23,24,25,26,27,28,29",
                "add x11, x10, #(\\n - 19)",
                "cmp x11, x\\n",
                "b.eq 1f",
                "orr x0, x0, #(1 << (\\n - 19))",
                "1:",
                ".endr",
                $($check,)*
                "ldr x11, [sp, #160]",
                "mov x12, sp",
                "cmp x11, x12",
                "b.eq 2f",
                "orr x0, x0, #(1 << 31)",
                "2:",
                "ldp x29, x30, [sp, #0]",
                "ldp x19, x20, [sp, #16]",
                "ldp x21, x22, [sp, #32]",
                "ldp x23, x24, [sp, #48]",
                "ldp x25, x26, [sp, #64]",
                "ldp x27, x28, [sp, #80]",
                "add sp, sp, #224",
                "ret",
            )
        }
    };
}

#[cfg(target_feature = "neon")]
probe!(
    "stp d8, d9, [sp, #96]"
    "stp d10, d11, [sp, #112]"
    "stp d12, d13, [sp, #128]"
    "stp d14, d15, [sp, #144]"
    ".irp n, 8,9,10,11,12,13,14,15"
    "add x9, x3, #(\\n + 3)"
    "fmov d\\n, x9"
    ".endr";
    ".irp n, 8,9,10,11,12,13,14,15"
    "add x11, x10, #(\\n + 3)"
    "fmov x12, d\\n"
    "cmp x11, x12"
    "b.eq 1f"
    "orr x0, x0, #(1 << (\\n + 3))"
    "1:"
    ".endr"
    "ldp d8, d9, [sp, #96]"
    "ldp d10, d11, [sp, #112]"
    "ldp d12, d13, [sp, #128]"
    "ldp d14, d15, [sp, #144]"
);
#[cfg(not(target_feature = "neon"))]
probe!(;);

#[cfg(test)]
mod tests;

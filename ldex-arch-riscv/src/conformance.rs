//! The RISC-V glue of the conformance kit (`ldex-conformance`): which frame
//! slot is which register, and the callee-saved register probe.
//!
//! Under qemu-user (riscv64 Linux) the unit tests run the kit's context and
//! frame checks (the switch touches no CSR); a kernel in QEMU runs the trap
//! checks.

use ldex_conformance::{Backend, Hop};

use crate::Riscv;
use crate::context::Context;
use crate::frame::{GPR_NAMES, TrapFrame};
use crate::xlen::{XLENB, lx, sx};

/// The conformance kit's backend for [`Riscv`].
#[derive(Debug)]
pub enum Kit {}

/// Index of `xN` in [`Kit`]'s numbering (that of [`TrapFrame::regs`]).
const fn x(n: usize) -> usize {
    n - 1
}

// SAFETY: `probe` fills and checks s0-s11 (every callee-saved integer
// register of the psABI) and sp; `ra` is checked by the probe returning at
// all. The indices are those of `TrapFrame::regs`.
unsafe impl Backend for Kit {
    type Arch = Riscv;

    const REGISTERS: &'static [&'static str] = &GPR_NAMES;
    const STACK_POINTER: usize = x(2);
    const SYSCALL_NUMBER: usize = x(17);
    const SYSCALL_ARGS: [usize; 6] = [x(10), x(11), x(12), x(13), x(14), x(15)];
    const SYSCALL_RETURN: usize = x(10);
    /// `ecall` and `sret` change no integer register.
    const TRAP_CLOBBERS: &'static [usize] = &[];

    fn register(frame: &TrapFrame, index: usize) -> usize {
        frame.regs[index]
    }

    fn set_register(frame: &mut TrapFrame, index: usize, value: usize) {
        frame.regs[index] = value;
    }

    /// `ecall` is 4 bytes (there is no compressed form).
    const SYSCALL_LENGTH: usize = 4;

    unsafe fn probe(hop: Hop<Context>, a: *mut Context, b: *mut Context, seed: usize) -> u32 {
        // SAFETY: the caller's contract is hop's; probe restores every
        // callee-saved register it uses.
        unsafe { probe(hop, a, b, seed) }
    }
}

/// Fill s0-s11 with `seed + 0..12`, `hop(a, b)`, and return bit n set
/// for each `sN` that changed, bit 31 if sp moved.
///
/// ```text
///   sp + 0          ra
///   sp + 1..13 *X   s0 .. s11 of the caller
///   sp + 13 *X      sp before the hop
///   sp + 14 *X      seed
/// ```
#[unsafe(naked)]
unsafe extern "C" fn probe(
    hop: Hop<Context>,
    a: *mut Context,
    b: *mut Context,
    seed: usize,
) -> u32 {
    core::arch::naked_asm!(
        "addi sp, sp, -16*{x}",
        concat!(sx!(), " ra, 0(sp)"),
        ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11",
        concat!(sx!(), " s\\n, (1+\\n)*{x}(sp)"),
        ".endr",
        concat!(sx!(), " sp, 13*{x}(sp)"),
        concat!(sx!(), " a3, 14*{x}(sp)"),
        "mv t0, a0",
        "mv a0, a1",
        "mv a1, a2",
        ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11",
        "addi s\\n, a3, \\n",
        ".endr",
        // The hop: returns here when the other side hops back.
        "jalr t0",
        "li a0, 0",
        concat!(lx!(), " t2, 14*{x}(sp)"),
        ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11",
        "addi t1, t2, \\n",
        "beq t1, s\\n, 1f",
        "li t1, 1 << \\n",
        "or a0, a0, t1",
        "1:",
        ".endr",
        concat!(lx!(), " t0, 13*{x}(sp)"),
        "beq t0, sp, 2f",
        "li t1, 1 << 31",
        "or a0, a0, t1",
        "2:",
        concat!(lx!(), " ra, 0(sp)"),
        ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11",
        concat!(lx!(), " s\\n, (1+\\n)*{x}(sp)"),
        ".endr",
        "addi sp, sp, 16*{x}",
        "ret",
        x = const XLENB,
    )
}

#[cfg(test)]
mod tests;

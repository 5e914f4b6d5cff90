//! Trap entry and exit: the one entry `stvec` points at (see
//! [`crate::trap_table`]), the one exit path, and the `sscratch` protocol
//! that tells user traps from kernel traps.
//!
//! # Telling user traps from kernel traps: the sscratch protocol
//!
//! * While the hart runs the kernel, `sscratch` is **0**.
//! * While it runs a process in U-mode, `sscratch` holds the **top of that
//!   process's kernel stack**.
//!
//! The entry swaps `sp` with `sscratch` (one instruction, no register
//! needed). A nonzero result means "came from U-mode, and sp is now my
//! kernel stack"; zero means "came from the kernel": swap back and push the
//! frame below the interrupted kernel sp. On the user path the user sp is
//! then fetched from `sscratch` while writing 0 into it, so the kernel runs
//! with `sscratch == 0` from the fourth instruction on.
//!
//! # The return window (Tock PR #2308)
//!
//! On the way back to U-mode the exit code must make `sscratch` nonzero
//! *before* `sret`, so for a few instructions the hart is in S-mode with a
//! nonzero `sscratch`. A trap taken there would be mistaken for a user trap,
//! and the entry would reuse the top of the kernel stack, where the frame
//! being restored still lives. Tock hit exactly this with an interrupt. Here
//! the window is closed in two ways:
//!
//! * Interrupts: the exit path starts with `csrci sstatus, SIE` and writes
//!   back a saved `sstatus` whose SIE is 0 (the hardware cleared it when the
//!   trap was taken; [`TrapFrame::new_user`](ldex_core::TrapFrame::new_user)
//!   makes it 0). SIE only becomes SPIE at `sret` itself, so no interrupt
//!   can be taken inside the window.
//! * Exceptions (only a kernel bug can fault there, say a frame on an
//!   unmapped page): the user path checks the hardware's own `sstatus.SPP`;
//!   if it says S-mode while `sscratch` said user, the entry does not return
//!   but panics through `trap_in_return_window`.
//!
//! # The entry, step by step (interrupts are off throughout: the hardware
//! clears SIE on every trap)
//!
//! 1. `csrrw sp, sscratch, sp`, pick the user or the kernel path as above.
//! 2. `sp -= size_of::<TrapFrame>()`; store x1 and x3..x31 (see the map in
//!    [`crate::frame`]); store the trapped sp, sepc, sstatus, scause, stval.
//!    From U-mode, load this hart's CPU id into `tp` from the frame's
//!    `kernel_tp` (see below).
//! 3. Call `trap_dispatch` with the frame: it decodes the cause, advances
//!    sepc past an `ecall`, and calls the installed [`TrapSink`](ldex_core::arch::TrapSink).
//! 4. Restore: disable interrupts, if the frame goes back to U-mode
//!    (`SPP == 0`) put `frame + size` (the kernel stack top) in `sscratch`,
//!    otherwise put the running hart's `tp` in the frame's `tp` slot (see
//!    below); write sstatus and sepc, load every register, sp last, `sret`.
//!
//! A new process enters user mode through the same exit path
//! ([`return_to_user`]), so there is one way out of the kernel.
//!
//! # `tp`: the CPU id
//! The kernel has no thread-locals, so in S-mode `tp` holds the hart's CPU
//! id ([`crate::smp`]), what `Arch::cpu_id` reads. Two rules keep it right:
//!
//! * A trap from U-mode finds the user's `tp`. The entry saves it with the
//!   rest and loads the CPU id from the frame's `kernel_tp`, which
//!   `Arch::enter_process` wrote on this hart when it switched the process
//!   in (a process in U-mode never changes harts).
//! * A trap from S-mode finds the kernel's `tp`, but the code it
//!   interrupted may be switched out and resumed on another hart before the
//!   trap returns (a preemptible system call). swtch does not carry `tp`
//!   (it belongs to the hart, not to the thread), so the return to S-mode
//!   writes the running hart's `tp` over the saved one before it restores.
//!
//! The kernel never uses `gp` (no global-pointer relaxation); the user's is
//! saved and restored with the rest.

use core::mem::{offset_of, size_of};

use ldex_core::arch::SinkSlot;
use ldex_core::{Privilege, TrapCause};

use crate::csr;
use crate::decode::{ECALL_FROM_USER, decode};
use crate::frame::{SSTATUS_SIE, SSTATUS_SPP, TrapFrame};
use crate::xlen::{XLENB, lx, sx};

/// Where [`trap_dispatch`] delivers traps; set by the trap table's install.
pub(crate) static SINK: SinkSlot<TrapFrame> = SinkSlot::new();

core::arch::global_asm!(
    ".pushsection .text.ldex_trap, \"ax\"",
    // return_to_user(frame: a0): the frame becomes sp, then the common exit.
    // It and the window panic sit before the entry so that the entry falls
    // straight into the exit after the dispatch.
    ".globl ldex_return_to_user",
    "ldex_return_to_user:",
    "    mv sp, a0",
    "    j ldex_trap_return",
    // An exception inside the return window (see the module docs).
    "3:  mv a0, sp",
    "    call {window}",
    ".globl ldex_trap_entry",
    ".p2align 2",
    "ldex_trap_entry:",
    "    csrrw sp, sscratch, sp",
    "    bnez sp, 1f",
    // From the kernel: sp = 0 and sscratch = the interrupted sp.
    "    csrrw sp, sscratch, sp",
    "    addi sp, sp, -{size}",
    "    .irp n, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31",
    concat!("    ", sx!(), " x\\n, {regs}+(\\n-1)*{xlenb}(sp)"),
    "    .endr",
    "    addi t0, sp, {size}",
    concat!("    ", sx!(), " t0, {sp}(sp)"),
    "    csrr t1, sstatus",
    "    j 2f",
    // From user mode: sp = the kernel stack top.
    "1:  addi sp, sp, -{size}",
    "    .irp n, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31",
    concat!("    ", sx!(), " x\\n, {regs}+(\\n-1)*{xlenb}(sp)"),
    "    .endr",
    "    csrrw t0, sscratch, zero",
    concat!("    ", sx!(), " t0, {sp}(sp)"),
    // The user's tp is saved: from here on tp is this hart's CPU id.
    concat!("    ", lx!(), " tp, {kernel_tp}(sp)"),
    "    csrr t1, sstatus",
    "    andi t2, t1, {spp}",
    "    bnez t2, 3b",
    "2:",
    concat!("    ", sx!(), " t1, {sstatus}(sp)"),
    "    csrr t0, sepc",
    concat!("    ", sx!(), " t0, {sepc}(sp)"),
    "    csrr t0, scause",
    concat!("    ", sx!(), " t0, {scause}(sp)"),
    "    csrr t0, stval",
    concat!("    ", sx!(), " t0, {stval}(sp)"),
    "    mv a0, sp",
    "    call {dispatch}",
    ".globl ldex_trap_return",
    "ldex_trap_return:",
    "    csrci sstatus, {sie}",
    concat!("    ", lx!(), " t0, {sstatus}(sp)"),
    "    andi t1, t0, {spp}",
    "    bnez t1, 5f",
    "    addi t1, sp, {size}",
    "    csrw sscratch, t1",
    "    j 4f",
    // Back to S-mode, perhaps on another hart than the trap came in on:
    // keep the running hart's CPU id.
    concat!("5:  ", sx!(), " tp, {regs}+3*{xlenb}(sp)"),
    "4:  csrw sstatus, t0",
    concat!("    ", lx!(), " t1, {sepc}(sp)"),
    "    csrw sepc, t1",
    "    .irp n, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31",
    concat!("    ", lx!(), " x\\n, {regs}+(\\n-1)*{xlenb}(sp)"),
    "    .endr",
    concat!("    ", lx!(), " sp, {sp}(sp)"),
    "    sret",
    ".popsection",
    size = const size_of::<TrapFrame>(),
    regs = const offset_of!(TrapFrame, regs),
    sp = const offset_of!(TrapFrame, regs) + XLENB,
    sepc = const offset_of!(TrapFrame, sepc),
    sstatus = const offset_of!(TrapFrame, sstatus),
    scause = const offset_of!(TrapFrame, scause),
    stval = const offset_of!(TrapFrame, stval),
    kernel_tp = const offset_of!(TrapFrame, kernel_tp),
    xlenb = const XLENB,
    spp = const SSTATUS_SPP,
    sie = const SSTATUS_SIE,
    dispatch = sym trap_dispatch,
    window = sym trap_in_return_window,
);

unsafe extern "C" {
    pub(crate) fn ldex_trap_entry();
    fn ldex_return_to_user(frame: *mut TrapFrame) -> !;
}

/// Decode the trap, step past an `ecall`, acknowledge an IPI, hand the
/// frame to the sink.
/// Runs on the kernel stack with interrupts off.
///
/// A system call, the hot path, is recognised by its `scause` alone, before
/// anything else is decoded (15 guest instructions fewer on rv64 than going
/// through [`decode`], which gives the same answer for it).
extern "C" fn trap_dispatch(frame: &mut TrapFrame) {
    let sink = SINK.get(frame);
    let cause = if frame.scause == ECALL_FROM_USER {
        // `ecall` has no compressed form: always 4 bytes.
        frame.sepc += 4;
        TrapCause::Syscall
    } else {
        let cause = decode(frame.scause, frame.stval, Privilege::of(frame));
        if cause == TrapCause::Ipi {
            // Acknowledge: SSIP stays pending until S-mode clears it.
            // SAFETY: clearing SSIP only retires the IPI being handled; one
            // sent after this raises it again.
            unsafe { csr::clear!("sip", csr::SIP_SSIP) };
        }
        cause
    };
    sink.trap(frame, cause);
}

/// An exception between setting `sscratch` and `sret`: a kernel bug.
extern "C" fn trap_in_return_window(frame: &TrapFrame) -> ! {
    panic!(
        "trap inside the return-to-user window: scause {:#x} stval {:#x} sepc {:#x}",
        frame.scause, frame.stval, frame.sepc
    )
}

/// Return-from-trap into `frame` through the common exit path.
///
/// # Safety
/// See [`ldex_core::Arch::return_to_user`]: `frame` is at the top of the
/// current kernel stack (the exit puts `frame + size` in `sscratch`).
pub unsafe fn return_to_user(frame: *mut TrapFrame) -> ! {
    // SAFETY: the exit path only reads the frame, which the caller vouches
    // for, and leaves the kernel.
    unsafe { ldex_return_to_user(frame) }
}

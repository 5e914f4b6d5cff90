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
//!   but panics through `trap_in_return_window` with the trap's own CSRs.
//!   The `return-window-test` feature (for kernels' test builds only) puts
//!   an `ebreak` right after `csrw sscratch` to prove it.
//!
//! # A kernel stack that overflowed: the emergency stack
//!
//! Kernels put an unmapped guard page under each kernel stack. A stack
//! that runs into it faults, and the kernel path would push the frame right
//! below the faulting sp, into the guard again: a fault inside the entry,
//! for ever. So before it stores anything the kernel path tells:
//!
//! * It needs one register: it parks t0 in `sscratch` (0 on this path, and
//!   0 again three to seven instructions later, before anything else runs).
//! * A load or store page fault (`scause` 13 or 15) whose address (`stval`)
//!   is less than a page above sp means sp itself is in a guard page: the
//!   pages within a page of a kernel sp are its own stack, mapped, but for
//!   the guard. (Any other kernel fault, and every interrupt, goes on as
//!   before.)
//! * Then the frame goes on this hart's emergency stack (`EMERGENCY_STACK`,
//!   16 KiB of `.bss` per hart, picked by the CPU id in `tp`), with the
//!   overflowed sp in it, and `kernel_stack_overflow` panics with it from
//!   there. It never returns; the kernel's panic handler powers off.
//!
//! The check costs six instructions on a kernel trap that is no page fault;
//! the user path, where system calls come in, has none of it. A function
//! whose frame is larger than a page can move sp past the guard without
//! touching it; no guard-page scheme catches that without stack probes.
//!
//! # User access
//!
//! After saving `sstatus` the entry clears `sstatus.SUM`: a trap that
//! interrupted a copy inside [`with_user_access`](crate::supervisor::with_user_access)
//! does not hand its user access to the handler (say a tick that switches
//! to another process). The exit writes the frame's `sstatus` back, so the
//! copy resumes with SUM set.
//!
//! # The entry, step by step (interrupts are off throughout: the hardware
//! clears SIE on every trap)
//!
//! 1. `csrrw sp, sscratch, sp`, pick the user or the kernel path as above;
//!    on the kernel path, check for an overflowed stack (above).
//! 2. `sp -= size_of::<TrapFrame>()`; store x1 and x3..x31 (see the map in
//!    [`crate::frame`]); store the trapped sp, sepc, sstatus, scause, stval
//!    (`ldex_save_csrs`); clear SUM. From U-mode, load this hart's CPU id
//!    into `tp` from the frame's `kernel_tp` (see below).
//! 3. Call the function of [`SINK`] with the frame in `a0` and the slot's
//!    sink in `a2`: [`TrapDispatch`] made for the installed
//!    [`TrapSink`](ldex_core::arch::TrapSink) (see
//!    `ldex_core::arch::SinkSlot`). It decodes the cause, advances sepc
//!    past an `ecall`, and calls the sink, inlined.
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

use core::cell::UnsafeCell;
use core::mem::{offset_of, size_of};

use ldex_core::arch::{Dispatch, SinkSlot, TrapSink};
use ldex_core::{MAX_CPUS, Privilege, TrapCause};

use crate::csr;
use crate::decode::{ECALL_FROM_USER, decode, exc};
use crate::frame::{SSTATUS_SIE, SSTATUS_SPP, SSTATUS_SUM, TrapFrame};
use crate::xlen::{XLENB, lx, sx};

/// [`TrapDispatch`] bound to the sink; set by the trap table's install,
/// called by the entry.
pub(crate) static SINK: SinkSlot<TrapDispatch> = SinkSlot::new();

/// `log2` of the page size: a guard page is one page.
const PAGE_SHIFT: usize = 12;

/// `log2` of the bytes of each emergency stack: the report's formatting and
/// the kernel's panic handler, which powers the machine off.
const EMERGENCY_STACK_SHIFT: usize = 14;
/// Bytes of each emergency stack (16 KiB).
const EMERGENCY_STACK_SIZE: usize = 1 << EMERGENCY_STACK_SHIFT;

/// The emergency stacks, where the entry reports a kernel stack that ran
/// into its guard page (module docs): one per hart, the one of CPU id `tp`
/// (a trap from S-mode finds the kernel's `tp`). Only the entry's overflow
/// path writes a hart's own, with interrupts off, and it never returns.
#[repr(C, align(16))]
struct EmergencyStack(UnsafeCell<[[u8; EMERGENCY_STACK_SIZE]; MAX_CPUS]>);

// SAFETY: each hart uses only its own stack of the array, on the overflow
// path of the trap entry, which never returns to anything that could.
unsafe impl Sync for EmergencyStack {}

static EMERGENCY_STACK: EmergencyStack =
    EmergencyStack(UnsafeCell::new([[0; EMERGENCY_STACK_SIZE]; MAX_CPUS]));

/// The line of asm that opens the return window's test (the
/// `return-window-test` feature): an `ebreak` right after `sscratch` is
/// set, a trap the entry must diagnose.
#[cfg(feature = "return-window-test")]
macro_rules! window_test {
    () => {
        "    ebreak"
    };
}
/// Nothing: the return window holds no test.
#[cfg(not(feature = "return-window-test"))]
macro_rules! window_test {
    () => {
        ""
    };
}

core::arch::global_asm!(
    ".pushsection .text.ldex_trap, \"ax\"",
    // Store t1 (sstatus, read by the caller) and sepc, scause, stval into
    // the frame at sp; t0 is scratch.
    ".macro ldex_save_csrs",
    concat!("    ", sx!(), " t1, {sstatus}(sp)"),
    "    csrr t0, sepc",
    concat!("    ", sx!(), " t0, {sepc}(sp)"),
    "    csrr t0, scause",
    concat!("    ", sx!(), " t0, {scause}(sp)"),
    "    csrr t0, stval",
    concat!("    ", sx!(), " t0, {stval}(sp)"),
    ".endm",
    // return_to_user(frame: a0): the frame becomes sp, then the common exit.
    // It and the window panic sit before the entry so that the entry falls
    // straight into the exit after the dispatch.
    ".globl ldex_return_to_user",
    "ldex_return_to_user:",
    "    mv sp, a0",
    "    j ldex_trap_return",
    // An exception inside the return window (see the module docs).
    "3:  ldex_save_csrs",
    "    mv a0, sp",
    "    call {window}",
    ".globl ldex_trap_entry",
    ".p2align 2",
    "ldex_trap_entry:",
    "    csrrw sp, sscratch, sp",
    "    bnez sp, 1f",
    // From the kernel: sp = 0 and sscratch = the interrupted sp.
    "    csrrw sp, sscratch, sp",
    // Did the stack run into its guard page? Borrow t0 through sscratch
    // (0 again at 5:): a load or store page fault (scause 13 or 15, which
    // `| 2` makes 15) less than a page above sp.
    "    csrw sscratch, t0",
    "    csrr t0, scause",
    "    ori t0, t0, 2",
    "    addi t0, t0, -{store_page_fault}",
    "    bnez t0, 5f",
    "    csrr t0, stval",
    "    sub t0, t0, sp",
    "    srli t0, t0, {page_shift}",
    // The crux: a fault this close above sp means sp itself is in a guard
    // page, and pushing the frame there would fault again, forever.
    "    beqz t0, 6f",
    "5:  csrrw t0, sscratch, zero",
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
    "2:  ldex_save_csrs",
    // The handler runs without user access whatever the trapped code had
    // (a copy inside `with_user_access`); the exit puts SUM back from the
    // frame.
    "    li t0, {sum}",
    "    csrc sstatus, t0",
    "    mv a0, sp",
    "    lla t0, {slot}",
    concat!("    ", lx!(), " a2, {slot_sink}(t0)"),
    concat!("    ", lx!(), " t0, {slot_function}(t0)"),
    // The crux: the dispatch made for the installed sink (module docs).
    "    jalr t0",
    ".globl ldex_trap_return",
    "ldex_trap_return:",
    "    csrci sstatus, {sie}",
    concat!("    ", lx!(), " t0, {sstatus}(sp)"),
    "    andi t1, t0, {spp}",
    "    bnez t1, 7f",
    "    addi t1, sp, {size}",
    "    csrw sscratch, t1",
    // The return window is open from here to `sret` (module docs).
    window_test!(),
    "    j 4f",
    // Back to S-mode, perhaps on another hart than the trap came in on:
    // keep the running hart's CPU id.
    concat!("7:  ", sx!(), " tp, {regs}+3*{xlenb}(sp)"),
    "4:  csrw sstatus, t0",
    concat!("    ", lx!(), " t1, {sepc}(sp)"),
    "    csrw sepc, t1",
    "    .irp n, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31",
    concat!("    ", lx!(), " x\\n, {regs}+(\\n-1)*{xlenb}(sp)"),
    "    .endr",
    concat!("    ", lx!(), " sp, {sp}(sp)"),
    "    sret",
    // The stack ran into its guard page (t0 is in sscratch): the frame goes
    // on the hart's emergency stack, and the report never returns.
    "6:  mv t0, sp",
    // sp = the top of stack tp: base + size + (tp << shift), shifting tp
    // there and back for want of a free register.
    "    lla sp, {emergency}+{emergency_size}",
    "    slli tp, tp, {emergency_shift}",
    "    add sp, sp, tp",
    "    srli tp, tp, {emergency_shift}",
    "    addi sp, sp, -{size}",
    "    .irp n, 1,3,4,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31",
    concat!("    ", sx!(), " x\\n, {regs}+(\\n-1)*{xlenb}(sp)"),
    "    .endr",
    concat!("    ", sx!(), " t0, {sp}(sp)"),
    "    csrrw t0, sscratch, zero",
    concat!("    ", sx!(), " t0, {regs}+4*{xlenb}(sp)"),
    "    csrr t1, sstatus",
    "    ldex_save_csrs",
    "    mv a0, sp",
    "    call {overflow}",
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
    sum = const SSTATUS_SUM,
    store_page_fault = const exc::STORE_PAGE,
    page_shift = const PAGE_SHIFT,
    emergency = sym EMERGENCY_STACK,
    emergency_size = const EMERGENCY_STACK_SIZE,
    emergency_shift = const EMERGENCY_STACK_SHIFT,
    slot = sym SINK,
    slot_sink = const SinkSlot::<TrapDispatch>::SINK,
    slot_function = const SinkSlot::<TrapDispatch>::FUNCTION,
    window = sym trap_in_return_window,
    overflow = sym kernel_stack_overflow,
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
pub(crate) struct TrapDispatch;

impl Dispatch for TrapDispatch {
    type Frame = TrapFrame;

    #[inline(always)]
    fn dispatch<S: TrapSink<TrapFrame>>(sink: &'static S, frame: &mut TrapFrame, _: usize) {
        let cause = if frame.scause == ECALL_FROM_USER {
            // `ecall` has no compressed form: always 4 bytes.
            frame.sepc += 4;
            TrapCause::Syscall
        } else {
            let cause = decode(frame.scause, frame.stval, Privilege::of(frame));
            if cause == TrapCause::Ipi {
                // Acknowledge: SSIP stays pending until S-mode clears it.
                // SAFETY: clearing SSIP only retires the IPI being handled;
                // one sent after this raises it again.
                unsafe { csr::clear!("sip", csr::SIP_SSIP) };
            }
            cause
        };
        sink.trap(frame, cause);
    }
}

/// An exception between setting `sscratch` and `sret`: a kernel bug.
extern "C" fn trap_in_return_window(frame: &TrapFrame) -> ! {
    panic!(
        "trap inside the return-to-user window: scause {:#x} stval {:#x} sepc {:#x}",
        frame.scause, frame.stval, frame.sepc
    )
}

/// A kernel stack ran into its guard page: report it from the emergency
/// stack, with the frame of the faulting code (its sp is in the guard).
extern "C" fn kernel_stack_overflow(frame: &TrapFrame) -> ! {
    panic!(
        "kernel stack overflow: sp {:#x} ran into its guard page (stval {:#x}, sepc {:#x}); reported from the emergency stack\n{frame:?}",
        frame.x(2),
        frame.stval,
        frame.sepc
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

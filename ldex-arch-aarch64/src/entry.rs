//! Trap entry and exit: the `VBAR_EL1` vector table (see
//! [`crate::trap_table`]), the one exit path, and why no scratch register
//! is needed to find the kernel stack.
//!
//! # Finding the kernel stack: the banked SP_EL1
//!
//! EL0 runs on `SP_EL0`; an exception to EL1 switches to `SP_EL1`, which
//! the user cannot see or change. The exit path leaves `SP_EL1` at the top
//! of the process's kernel stack (the frame's end) as its last act before
//! `eret`, so the next trap from EL0 finds the stack with no register
//! swapped. (RISC-V needs `sscratch` for this, x86_64 TSS.rsp0.) A trap
//! from EL1 comes in on the kernel's own `SP_EL1` and pushes its frame
//! below the interrupted code.
//!
//! # The table
//!
//! Sixteen 128-byte slots, 2 KiB aligned: four groups (EL1 on SP_EL0, EL1
//! on SP_EL1, EL0 AArch64, EL0 AArch32) of four kinds (synchronous, IRQ,
//! FIQ, SError). Every slot makes room for the frame, saves x0 and x1,
//! puts its own number in x1 and branches to one of two save paths that
//! differ only in where the trapped sp comes from (`SP_EL0`, or the frame's
//! end); the dispatch reads the slot number (see
//! [`crate::decode::Slot`]), as an interrupt leaves no syndrome.
//!
//! # The entry, step by step (the CPU masks D, A, I and F on every trap)
//!
//! 1. `sub sp, sp, #size`; save x0, x1; x1 = the slot.
//! 2. Save x2–x30, the trapped sp, `ELR_EL1`, `SPSR_EL1`, `ESR_EL1` and
//!    `FAR_EL1` (see the map in [`crate::frame`]).
//! 3. Call the function of `SINK` with x0 = the frame, x1 = the slot
//!    and x2 = the slot's sink: `TrapDispatch` made for the installed
//!    [`TrapSink`] (see
//!    `ldex_core::arch::SinkSlot`). It decodes the cause (the pc of an
//!    `svc` is already past it: `ELR_EL1` of an `svc` is the next
//!    instruction), and calls the sink, inlined.
//! 4. The exit: mask IRQs, write `ELR_EL1`, `SPSR_EL1` and `SP_EL0` from
//!    the frame, load x0–x30, `add sp, sp, #size` (SP_EL1 = the kernel
//!    stack top again), `eret`.
//!
//! # The return window
//!
//! From the moment the exit writes `ELR_EL1` until `eret`, the CPU is in
//! EL1 with the user's state half loaded; an interrupt taken there would
//! save garbage over the frame being restored. The exit starts with `msr
//! daifset, #2`, and only `eret` itself loads the user's `PSTATE.I` from
//! `SPSR_EL1`, so no interrupt can arrive inside the window. `SP_EL0` is
//! written whatever mode the frame returns to: EL1 code runs on SP_EL1 and
//! never reads it, and the frame of the user trap below a kernel trap puts
//! the user's back.
//!
//! A new process enters EL0 through the same exit path
//! ([`return_to_user`]), so there is one way out of the kernel.

use core::mem::{offset_of, size_of};

use ldex_core::arch::{Dispatch, SinkSlot, TrapSink};
use ldex_core::{Privilege, TrapCause};

use crate::decode::{From, Kind, Slot, class, decode, ec};
use crate::frame::TrapFrame;
use crate::{fpu, gic};

/// [`TrapDispatch`] bound to the sink; set by the trap table's install,
/// called by the entry.
pub(crate) static SINK: SinkSlot<TrapDispatch> = SinkSlot::new();

/// One slot of the table: room for the frame, x0 and x1 saved, x1 = the
/// slot number, then the save path `$save` (1: from EL0, 2: from EL1).
macro_rules! slot {
    ($n:literal, $save:literal) => {
        concat!(
            ".balign 128\n",
            "sub sp, sp, #{size}\n",
            "stp x0, x1, [sp, #{regs}]\n",
            "mov x1, #",
            $n,
            "\n",
            "b ",
            $save,
            "f\n"
        )
    };
}

core::arch::global_asm!(
    ".pushsection .text.ldex_trap, \"ax\"",
    ".balign 2048",
    ".globl ldex_vectors",
    "ldex_vectors:",
    // EL1 on SP_EL0 (never: the kernel runs on SP_EL1); the dispatch panics.
    slot!("0", "2"),
    slot!("1", "2"),
    slot!("2", "2"),
    slot!("3", "2"),
    // EL1 on SP_EL1: traps from the kernel.
    slot!("4", "2"),
    slot!("5", "2"),
    slot!("6", "2"),
    slot!("7", "2"),
    // EL0 in AArch64: traps from user mode.
    slot!("8", "1"),
    slot!("9", "1"),
    slot!("10", "1"),
    slot!("11", "1"),
    // EL0 in AArch32 (never entered); the dispatch panics.
    slot!("12", "1"),
    slot!("13", "1"),
    slot!("14", "1"),
    slot!("15", "1"),
    ".balign 128",
    // From EL0: the trapped sp is SP_EL0.
    "1:  mrs x0, sp_el0",
    "    b 3f",
    // From EL1: the trapped sp is the frame's end.
    "2:  add x0, sp, #{size}",
    "3:  stp x2, x3, [sp, #{regs} + 2 * 8]",
    "    stp x4, x5, [sp, #{regs} + 4 * 8]",
    "    stp x6, x7, [sp, #{regs} + 6 * 8]",
    "    stp x8, x9, [sp, #{regs} + 8 * 8]",
    "    stp x10, x11, [sp, #{regs} + 10 * 8]",
    "    stp x12, x13, [sp, #{regs} + 12 * 8]",
    "    stp x14, x15, [sp, #{regs} + 14 * 8]",
    "    stp x16, x17, [sp, #{regs} + 16 * 8]",
    "    stp x18, x19, [sp, #{regs} + 18 * 8]",
    "    stp x20, x21, [sp, #{regs} + 20 * 8]",
    "    stp x22, x23, [sp, #{regs} + 22 * 8]",
    "    stp x24, x25, [sp, #{regs} + 24 * 8]",
    "    stp x26, x27, [sp, #{regs} + 26 * 8]",
    "    stp x28, x29, [sp, #{regs} + 28 * 8]",
    "    stp x30, x0, [sp, #{regs} + 30 * 8]",
    "    mrs x2, elr_el1",
    "    mrs x3, spsr_el1",
    "    stp x2, x3, [sp, #{elr}]",
    "    mrs x2, esr_el1",
    "    mrs x3, far_el1",
    "    stp x2, x3, [sp, #{esr}]",
    "    mov x0, sp",
    "    adrp x3, {slot}",
    "    add x3, x3, :lo12:{slot}",
    "    ldr x2, [x3, #{slot_sink}]",
    "    ldr x3, [x3, #{slot_function}]",
    // The crux: the dispatch made for the installed sink (module docs).
    "    blr x3",
    // The one exit; sp = the frame.
    ".globl ldex_trap_return",
    "ldex_trap_return:",
    // The crux: IRQs stay masked until `eret` loads the user's PSTATE.
    "    msr daifset, #2",
    "    ldp x0, x1, [sp, #{elr}]",
    "    msr elr_el1, x0",
    "    msr spsr_el1, x1",
    "    ldr x0, [sp, #{sp}]",
    "    msr sp_el0, x0",
    "    ldp x0, x1, [sp, #{regs} + 0 * 8]",
    "    ldp x2, x3, [sp, #{regs} + 2 * 8]",
    "    ldp x4, x5, [sp, #{regs} + 4 * 8]",
    "    ldp x6, x7, [sp, #{regs} + 6 * 8]",
    "    ldp x8, x9, [sp, #{regs} + 8 * 8]",
    "    ldp x10, x11, [sp, #{regs} + 10 * 8]",
    "    ldp x12, x13, [sp, #{regs} + 12 * 8]",
    "    ldp x14, x15, [sp, #{regs} + 14 * 8]",
    "    ldp x16, x17, [sp, #{regs} + 16 * 8]",
    "    ldp x18, x19, [sp, #{regs} + 18 * 8]",
    "    ldp x20, x21, [sp, #{regs} + 20 * 8]",
    "    ldp x22, x23, [sp, #{regs} + 22 * 8]",
    "    ldp x24, x25, [sp, #{regs} + 24 * 8]",
    "    ldp x26, x27, [sp, #{regs} + 26 * 8]",
    "    ldp x28, x29, [sp, #{regs} + 28 * 8]",
    "    ldr x30, [sp, #{regs} + 30 * 8]",
    // SP_EL1 = the frame's end: the kernel stack top for the next trap
    // from EL0, or the interrupted kernel sp.
    "    add sp, sp, #{size}",
    "    eret",
    // return_to_user(frame: x0): the frame becomes sp, then the exit.
    ".globl ldex_return_to_user",
    "ldex_return_to_user:",
    "    mov sp, x0",
    "    b ldex_trap_return",
    ".popsection",
    size = const size_of::<TrapFrame>(),
    regs = const offset_of!(TrapFrame, regs),
    sp = const offset_of!(TrapFrame, sp),
    elr = const offset_of!(TrapFrame, elr),
    esr = const offset_of!(TrapFrame, esr),
    slot = sym SINK,
    slot_sink = const SinkSlot::<TrapDispatch>::SINK,
    slot_function = const SinkSlot::<TrapDispatch>::FUNCTION,
);

// `stp x30, x0` stores the trapped sp right after x30, and `stp` pairs
// `elr` with `spsr` and `esr` with `far`.
static_assertions::const_assert_eq!(
    offset_of!(TrapFrame, sp),
    offset_of!(TrapFrame, regs) + 31 * 8
);
static_assertions::const_assert_eq!(offset_of!(TrapFrame, spsr), offset_of!(TrapFrame, elr) + 8);
static_assertions::const_assert_eq!(offset_of!(TrapFrame, far), offset_of!(TrapFrame, esr) + 8);

unsafe extern "C" {
    pub(crate) static ldex_vectors: u8;
    fn ldex_return_to_user(frame: *mut TrapFrame) -> !;
}

/// Decode the trap and hand the frame to the sink. Runs on the kernel
/// stack with interrupts masked; `arg` is the slot of the vector table.
///
/// A system call, the hot path, is recognised by its slot and class alone,
/// before anything else is decoded; so is the first FP instruction of a
/// process, which [`fpu`] serves without the sink (see its docs).
pub(crate) struct TrapDispatch;

impl Dispatch for TrapDispatch {
    type Frame = TrapFrame;

    #[inline(always)]
    fn dispatch<S: TrapSink<TrapFrame>>(sink: &'static S, frame: &mut TrapFrame, arg: usize) {
        let slot = Slot(arg as u64);
        if slot == Slot::EL0_SYNC {
            match class(frame.esr) {
                ec::SVC64 => return sink.trap(frame, TrapCause::Syscall),
                ec::FP_ACCESS => return fpu::first_use(),
                _ => {}
            }
        }
        let cause = match (slot.from(), slot.kind()) {
            (From::El1Sp0 | From::El0Aarch32, _) => {
                panic!(
                    "trap through slot {} of VBAR_EL1, never used:\n{frame:?}",
                    slot.0
                )
            }
            (_, Kind::Sync) => decode(frame.esr, frame.far, frame.sp, Privilege::of(frame)),
            (_, Kind::Irq) => gic::take(),
            (_, Kind::Fiq | Kind::SError) => TrapCause::Other(frame.esr as usize),
        };
        sink.trap(frame, cause);
    }
}

/// Return-from-trap into `frame` through the common exit path.
///
/// # Safety
/// See [`ldex_core::Arch::return_to_user`]: `frame` is at the top of the
/// current kernel stack (the exit leaves `SP_EL1` at its end).
pub unsafe fn return_to_user(frame: *mut TrapFrame) -> ! {
    // SAFETY: the exit path only reads the frame, which the caller vouches
    // for, and leaves the kernel.
    unsafe { ldex_return_to_user(frame) }
}

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
//! # A kernel stack that overflowed: the emergency stack
//!
//! Kernels put an unmapped guard page under each kernel stack. A stack
//! that runs into it takes a data abort with `sp` in or next to the guard,
//! and the slot's `sub sp` and `stp` would push the frame right there:
//! another abort, for ever, each one lower, until sp walks into whatever
//! lies below. So the EL1 synchronous slot (slot 4, the only one a stack
//! overflow reaches: an IRQ slot that pushes into the guard aborts into
//! slot 4 too) looks before it stores anything:
//!
//! * It needs one register: it parks x0 in `SP_EL0`, which EL1 code never
//!   reads (it runs on `SP_EL1`, and the exit rewrites `SP_EL0` from the
//!   frame), and takes it back five or ten instructions later.
//! * A data abort from EL1 (EC 0x25) whose address (`FAR_EL1`) is less
//!   than a page from sp means sp itself is at the guard: the pages within
//!   a page of a kernel sp are its own stack, mapped, but for the guard.
//!   (Any other kernel trap goes on as before.)
//! * Then the frame goes on this CPU's emergency stack (`EMERGENCY_STACK`,
//!   16 KiB of `.bss` per CPU, picked by the CPU id in `TPIDR_EL1`), with
//!   the overflowed sp in it, and the dispatch, given the made-up slot
//!   [`Slot::KERNEL_STACK_OVERFLOW`], panics with it from there. It never
//!   returns; the kernel's panic handler powers off. With x0 parked, the
//!   overflowed sp has no register to wait in while sp is moved, so it
//!   waits in `TPIDRRO_EL0`, the thread register EL0 may only read, which
//!   ldex otherwise leaves alone (Linux's entry trampoline borrows it the
//!   same way); the path clears it again, and this CPU never returns to
//!   EL0 anyway.
//!
//! ```text
//!   this CPU's emergency stack             its overflowed kernel stack
//!   +-------------------------------+ <- EMERGENCY_STACK + (cpu + 1) * 16 KiB
//!   | TrapFrame (crate::frame):     |      | ...                |
//!   |   sp  = the overflowed sp ----+----> | sp in the guard    |
//!   |   x0  = from SP_EL0, x1..x30  |      +--------------------+
//!   |   elr, spsr, esr, far         |      | guard page (unmapped)
//!   +-------------------------------+ <- sp at the dispatch, x1 = 16
//!   | the report, the panic handler |
//! ```
//!
//! The check costs six instructions on a kernel trap that is no data
//! abort, and five more on one that is; the EL0 slots, where system calls
//! come in, have none of it. A function whose frame is larger than a page
//! can move sp past the guard without touching it; no guard-page scheme
//! catches that without stack probes.
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

use core::cell::UnsafeCell;

use ldex_core::arch::{Dispatch, SinkSlot, TrapSink};
use ldex_core::{MAX_CPUS, Privilege, TrapCause};

use crate::decode::{From, Kind, Slot, class, decode, ec};
use crate::frame::TrapFrame;
use crate::{fpu, gic};

/// [`TrapDispatch`] bound to the sink; set by the trap table's install,
/// called by the entry.
pub(crate) static SINK: SinkSlot<TrapDispatch> = SinkSlot::new();

/// `log2` of the bytes of each emergency stack: the report's formatting and
/// the kernel's panic handler, which powers the machine off.
const EMERGENCY_STACK_SHIFT: usize = 14;
/// Bytes of each emergency stack (16 KiB).
const EMERGENCY_STACK_SIZE: usize = 1 << EMERGENCY_STACK_SHIFT;
/// A guard page is one page (4 KiB granule).
const PAGE: usize = 4096;

/// The emergency stacks, where the entry reports a kernel stack that ran
/// into its guard page (module docs): one per CPU, the one of the CPU id
/// in `TPIDR_EL1`. Only the entry's overflow path writes a CPU's own, with
/// interrupts masked, and it never returns.
#[repr(C, align(16))]
struct EmergencyStack(UnsafeCell<[[u8; EMERGENCY_STACK_SIZE]; MAX_CPUS]>);

// SAFETY: each CPU uses only its own stack of the array, on the overflow
// path of the trap entry, which never returns to anything that could.
unsafe impl Sync for EmergencyStack {}

static EMERGENCY_STACK: EmergencyStack =
    EmergencyStack(UnsafeCell::new([[0; EMERGENCY_STACK_SIZE]; MAX_CPUS]));

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
    // EL1 on SP_EL1: traps from the kernel. The synchronous one first
    // tells an overflowed stack (module docs), with x0 parked in SP_EL0.
    ".balign 128",
    "    msr sp_el0, x0",
    "    mrs x0, esr_el1",
    "    ubfx x0, x0, #26, #6",
    "    cmp x0, #{dabt_same}",
    "    b.ne 5f",
    // The crux: x0 = sp - FAR + PAGE, below 2 * PAGE when FAR is less than
    // a page from sp, i.e. sp is at its guard.
    "    mrs x0, far_el1",
    "    sub x0, sp, x0",
    "    add x0, x0, #{page}",
    "    cmp x0, #{page} * 2",
    "    b.lo 6f",
    "5:  mrs x0, sp_el0",
    "    sub sp, sp, #{size}",
    "    stp x0, x1, [sp, #{regs}]",
    "    mov x1, #4",
    "    b 2f",
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
    // The stack ran into its guard page (x0 is in SP_EL0): the frame goes
    // on this CPU's emergency stack, and the report never returns.
    "6:  mov x0, sp",
    "    msr tpidrro_el0, x0",
    // sp = the top of stack cpu: base + size + (cpu << shift).
    "    mrs x0, tpidr_el1",
    "    lsl x0, x0, #{emergency_shift}",
    "    mov sp, x0",
    "    adrp x0, {emergency}",
    "    add x0, x0, :lo12:{emergency}",
    "    add sp, sp, x0",
    "    add sp, sp, #{emergency_size}",
    "    sub sp, sp, #{size}",
    "    mrs x0, sp_el0",
    "    stp x0, x1, [sp, #{regs}]",
    "    mrs x0, tpidrro_el0",
    "    msr tpidrro_el0, xzr",
    "    mov x1, #{overflow_slot}",
    "    b 3f",
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
    dabt_same = const ec::DABT_SAME,
    page = const PAGE,
    emergency = sym EMERGENCY_STACK,
    emergency_size = const EMERGENCY_STACK_SIZE,
    emergency_shift = const EMERGENCY_STACK_SHIFT,
    overflow_slot = const Slot::KERNEL_STACK_OVERFLOW.0,
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
        if slot == Slot::KERNEL_STACK_OVERFLOW {
            kernel_stack_overflow(frame);
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

/// A kernel stack ran into its guard page: report it from the emergency
/// stack, with the frame of the faulting code (its sp is at the guard).
fn kernel_stack_overflow(frame: &TrapFrame) -> ! {
    panic!(
        "kernel stack overflow: sp {:#x} ran into its guard page (far {:#x}, elr {:#x}); reported from the emergency stack\n{frame:?}",
        frame.sp, frame.far, frame.elr
    )
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

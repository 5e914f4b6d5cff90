//! swtch: the kernel register context, and the asymmetric pair that moves a
//! CPU between its scheduler and a process.
//!
//! # Each call is paired with its return
//! [`resume`](ldex_core::Context::resume) *calls* into the process with
//! `blr x9`: x30 gets the address just after it, and the return stack
//! pushes it. [`suspend`](ldex_core::Context::suspend) *returns* to the
//! scheduler with `ret` (through x30), which pops that very address. The
//! start trampoline's jump, which is not a call, is a plain `br x9`.
//!
//! Both are inline asm (`#[inline(always)]`), so that no other call or
//! return of ours stands between the pair, and so that the compiler saves
//! only the callee-saved registers live at the call site: the asm declares
//! x20–x26 and every caller-saved register clobbered, keeps x19 and x29
//! itself (LLVM reserves them, so they cannot be declared clobbered), and
//! hands x27 and x28 back as it got them (below). Where the target has
//! FP registers (the hard-float target the unit tests run on under
//! qemu-user), v8–v15 are declared clobbered too, as their low halves are
//! callee-saved; the kernel itself is built soft-float and never touches
//! them (they belong to a process, see [`crate::fpu`]).
//!
//! # The context pointers stay in registers
//! Both calls take x27 = the CPU's (scheduler's) context and x28 = the
//! process's, two callee-saved registers, and `resume` gives both back
//! unchanged, exactly as the RISC-V backend does with s10 and s11: a
//! scheduler loop keeps its two pointers in registers across the switch.
//! `suspend` declares x27 changed, as its process may be resumed by another
//! CPU's scheduler.
//!
//! # What is saved where
//! Nothing is pushed on a stack:
//!
//! ```text
//!   Context (32 bytes)      cpu (while a process runs)    process (suspended)
//!   +------------------+ 0  where suspend returns:        the landing in
//!   | pc               |      just after resume's blr     suspend (new: the
//!   | sp               | 8  the scheduler's sp            trampoline); its sp
//!   | x19              | 16 the scheduler's x19, x29      its x19, x29 (new:
//!   | x29 (fp)         | 24                               entry, arg)
//!   +------------------+
//! ```
//!
//! Interrupts are off across the switch (the protocol's rule), so no trap
//! can see a half-switched state; neither half touches a system register.

use core::mem::{offset_of, size_of};

use static_assertions::const_assert_eq;

/// The saved kernel registers of one kernel thread (see the module map).
#[repr(C)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Context {
    /// Where the thread goes on: a process's landing in `suspend` (or the
    /// start trampoline), a scheduler's return point in `resume`.
    pub pc: u64,
    /// The kernel stack pointer.
    pub sp: u64,
    /// x19, which LLVM reserves.
    pub x19: u64,
    /// The frame pointer, which LLVM reserves.
    pub x29: u64,
}

const_assert_eq!(offset_of!(Context, pc), 0);
const_assert_eq!(offset_of!(Context, sp), 8);
const_assert_eq!(offset_of!(Context, x19), 16);
const_assert_eq!(offset_of!(Context, x29), 24);
const_assert_eq!(size_of::<Context>(), 32);

impl Context {
    /// A context that has not been saved into yet.
    pub const EMPTY: Context = Context {
        pc: 0,
        sp: 0,
        x19: 0,
        x29: 0,
    };
}

#[cfg(target_arch = "aarch64")]
mod imp {
    use core::mem::offset_of;

    use super::Context;

    /// `asm!` with the switch's clobbers: x20–x26, and v8–v15 where the
    /// target has FP registers (their low halves are callee-saved).
    macro_rules! switch_asm {
        ($($body:tt)*) => {
            #[cfg(target_feature = "neon")]
            core::arch::asm!(
                $($body)*
                out("x20") _, out("x21") _, out("x22") _, out("x23") _,
                out("x24") _, out("x25") _, out("x26") _,
                out("v8") _, out("v9") _, out("v10") _, out("v11") _,
                out("v12") _, out("v13") _, out("v14") _, out("v15") _,
                clobber_abi("C"),
            );
            #[cfg(not(target_feature = "neon"))]
            core::arch::asm!(
                $($body)*
                out("x20") _, out("x21") _, out("x22") _, out("x23") _,
                out("x24") _, out("x25") _, out("x26") _,
                clobber_abi("C"),
            );
        };
    }

    /// The first code of a new process, reached by `resume`'s `blr`: the
    /// landing of `suspend` for a context that never suspended. It records
    /// the scheduler's pc and sp in `*cpu` (x27), moves to the new stack and
    /// jumps to the entry (`x19` in `*process`, x28) with the argument
    /// (`x29`) in x0; `br` leaves the return stack alone.
    #[unsafe(naked)]
    extern "C" fn start_trampoline() -> ! {
        core::arch::naked_asm!(
            "str x30, [x27, #{pc}]",
            "mov x9, sp",
            "str x9, [x27, #{sp}]",
            "ldr x9, [x28, #{sp}]",
            "mov sp, x9",
            "ldr x9, [x28, #{x19}]",
            "ldr x0, [x28, #{x29}]",
            "mov x29, xzr",
            "mov x30, xzr",
            "br x9",
            pc = const offset_of!(Context, pc),
            sp = const offset_of!(Context, sp),
            x19 = const offset_of!(Context, x19),
            x29 = const offset_of!(Context, x29),
        )
    }

    // SAFETY: across `resume` and `suspend`, x19 and x29 are saved and
    // loaded by the asm, x28 (and x27 across `resume`) comes back holding
    // the pointer it held (the trait's contract pairs the calls with the
    // same pointers), and every other register is declared clobbered, so the
    // compiler keeps x20–x27 (and v8–v15 on a hard-float target) itself; sp
    // comes back to its value at the call, and the resume point is the
    // instruction after the asm. That is every callee-saved register of
    // AAPCS64. `suspend`'s `ret` goes to the address `resume`'s `blr` left
    // in `cpu.pc`, and a new context runs `entry(arg)` on `stack_top` via
    // the trampoline without touching DAIF.
    unsafe impl ldex_core::Context for Context {
        const EMPTY: Self = Context::EMPTY;

        fn new(entry: extern "C-unwind" fn(usize) -> !, arg: usize, stack_top: *mut u8) -> Self {
            Context {
                pc: start_trampoline as *const () as u64,
                sp: (stack_top as u64) & !15,
                x19: entry as *const () as u64,
                x29: arg as u64,
            }
        }

        #[inline(always)]
        unsafe fn resume(cpu: *mut Self, process: *mut Self) {
            // SAFETY: the trait's contract: `process.pc` is a landing (or the
            // trampoline) that saves our pc and sp in `*cpu` and runs the
            // process until its `suspend` returns here with x27 = `cpu` and
            // x28 = `process`.
            unsafe {
                switch_asm!(
                    "stp x19, x29, [x27, #{x19}]",
                    "ldr x9, [x28, #{pc}]",
                    // The crux: a call, so the return stack pushes x30 and
                    // suspend's `ret` pops it.
                    "blr x9",
                    "ldp x19, x29, [x27, #{x19}]",
                    pc = const offset_of!(Context, pc),
                    x19 = const offset_of!(Context, x19),
                    in("x27") cpu,
                    in("x28") process,
                );
            }
        }

        #[inline(always)]
        unsafe fn suspend(process: *mut Self, cpu: *mut Self) {
            // SAFETY: the trait's contract: `cpu.pc` and `cpu.sp` are the
            // return point and stack of the `resume` that is running us,
            // which wants `cpu` and `process` back in x27 and x28, and the
            // next `resume` of `process` calls the landing below with x27 =
            // its cpu and x28 = `process`.
            unsafe {
                switch_asm!(
                    "stp x19, x29, [x28, #{x19}]",
                    "mov x9, sp",
                    "str x9, [x28, #{sp}]",
                    "adr x9, 2f",
                    "str x9, [x28, #{pc}]",
                    "ldr x9, [x27, #{sp}]",
                    "mov sp, x9",
                    "ldr x30, [x27, #{pc}]",
                    // The crux: back to just after resume's `blr`; the
                    // return stack has it on top.
                    "ret",
                    // The landing, called by the next resume of this process.
                    "2:",
                    "str x30, [x27, #{pc}]",
                    "mov x9, sp",
                    "str x9, [x27, #{sp}]",
                    "ldr x9, [x28, #{sp}]",
                    "mov sp, x9",
                    "ldp x19, x29, [x28, #{x19}]",
                    pc = const offset_of!(Context, pc),
                    sp = const offset_of!(Context, sp),
                    x19 = const offset_of!(Context, x19),
                    inout("x27") cpu => _,
                    in("x28") process,
                );
            }
        }
    }
}

//! swtch: the kernel register context, and the asymmetric pair that moves a
//! hart between its scheduler and a process.
//!
//! # Each call is paired with its return
//! [`resume`](ldex_core::Context::resume) *calls* into the process with
//! `jalr ra, t1`: `ra` gets the address just after it, and the return-address
//! stack pushes it (rd = ra is a link register, rs1 = t1 is not).
//! [`suspend`](ldex_core::Context::suspend) *returns* to the scheduler with
//! `ret` (`jalr zero, ra`), which pops that very address. A symmetric swtch
//! returns through an `ra` loaded from another context, which the predictor
//! never saw pushed. The jumps that are not calls use t1 too: t0 (x5) is the
//! alternate link register, and `jalr` through it would push or pop.
//!
//! Both are inline asm (`#[inline(always)]`), so that no other call or return
//! of ours stands between the pair, and so that the compiler saves only the
//! callee-saved registers live at the call site, hoisted out of the
//! scheduler loop: the asm declares s2–s9 and every caller-saved register
//! clobbered, keeps s0 and s1 itself (LLVM reserves them, so they cannot be
//! declared clobbered), and hands s10 and s11 back as it got them (below).
//! The FP registers are not touched: they belong to a process, not to a
//! kernel thread, and [`crate::fpu`] saves them lazily.
//!
//! # The context pointers stay in registers
//! Both calls take `s10` = the hart's (scheduler's) context and `s11` = the
//! process's, two callee-saved registers, and `resume` gives both back
//! unchanged: `suspend` is handed the very pointers its `resume` was (the
//! trait's contract) and returns with them still in s10 and s11; the landing
//! is called with the same `process` in s11. So a scheduler loop keeps its
//! two pointers in s10 and s11 for good, instead of reloading them after
//! each switch from where the compiler parked them, through a stack pointer
//! just loaded from a `Context` (the x86_64 backend measures what that chain
//! costs). `suspend` declares s10 changed, as its process may be resumed by
//! another hart's scheduler.
//!
//! # What is saved where
//! Nothing is pushed on a stack:
//!
//! ```text
//!   Context (4 * XLENB)      cpu (while a process runs)    process (suspended)
//!   +------------------+ 0   where suspend returns:        the landing in
//!   | pc               |       just after resume's jalr    suspend (new: the
//!   | sp               | 1   the scheduler's sp            trampoline); its sp
//!   | s0               | 2   the scheduler's s0, s1        its s0, s1 (new:
//!   | s1               | 3                                 entry, arg)
//!   +------------------+
//! ```
//!
//! Instructions per direction, counting the asm only (the compiler adds a
//! store and a load per s2–s11 that is live across the call, once per
//! function when the call sits in a loop):
//! * scheduler -> process: `resume` 4 (store s0, s1, load pc, jalr) + the
//!   landing 5 (store the scheduler's pc and sp, load the process's sp, s0,
//!   s1) = 9;
//! * process -> scheduler: `suspend` 8 (store s0, s1, sp, `lla` and store
//!   the landing, load the scheduler's sp and pc, ret) + `resume`'s 2 loads
//!   = 10.
//!
//! Interrupts are off across the switch (the protocol's rule), so no trap
//! can see a half-switched state; neither half touches a CSR.

use core::mem::{offset_of, size_of};

use static_assertions::const_assert_eq;

use crate::xlen::XLENB;

/// The saved kernel registers of one kernel thread (see the module map).
#[repr(C)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Context {
    /// Where the thread goes on: a process's landing in `suspend` (or the
    /// start trampoline), a scheduler's return point in `resume`.
    pub pc: usize,
    /// The kernel stack pointer.
    pub sp: usize,
    /// The frame pointer, which LLVM reserves.
    pub s0: usize,
    /// The base pointer, which LLVM reserves.
    pub s1: usize,
}

const_assert_eq!(offset_of!(Context, pc), 0);
const_assert_eq!(offset_of!(Context, sp), XLENB);
const_assert_eq!(offset_of!(Context, s0), 2 * XLENB);
const_assert_eq!(offset_of!(Context, s1), 3 * XLENB);
const_assert_eq!(size_of::<Context>(), 4 * XLENB);

impl Context {
    /// A context that has not been saved into yet.
    pub const EMPTY: Context = Context {
        pc: 0,
        sp: 0,
        s0: 0,
        s1: 0,
    };
}

#[cfg(any(target_arch = "riscv32", target_arch = "riscv64"))]
mod imp {
    use core::arch::asm;
    use core::mem::offset_of;

    use super::Context;
    use crate::xlen::{lx, sx};

    /// The first code of a new process, reached by `resume`'s `jalr`: the
    /// landing of `suspend` for a context that never suspended. It records
    /// the scheduler's pc and sp in `*cpu` (s10), moves to the new stack and
    /// jumps to the entry (`s0` in `*process`, s11) with the argument (`s1`)
    /// in a0; `jr t1` leaves the return-address stack alone.
    #[unsafe(naked)]
    extern "C" fn start_trampoline() -> ! {
        core::arch::naked_asm!(
            concat!(sx!(), " ra, {pc}(s10)"),
            concat!(sx!(), " sp, {sp}(s10)"),
            concat!(lx!(), " sp, {sp}(s11)"),
            concat!(lx!(), " t1, {s0}(s11)"),
            concat!(lx!(), " a0, {s1}(s11)"),
            "jr t1",
            pc = const offset_of!(Context, pc),
            sp = const offset_of!(Context, sp),
            s0 = const offset_of!(Context, s0),
            s1 = const offset_of!(Context, s1),
        )
    }

    // SAFETY: across `resume` and `suspend`, s0 and s1 are saved and loaded
    // by the asm, s11 (and s10 across `resume`) comes back holding the
    // pointer it held (the trait's contract pairs the calls with the same
    // pointers), and every other register is declared clobbered, so the
    // compiler keeps s2–s10 (and anything caller-saved it still needs)
    // itself; sp comes back to its value at the call, and the resume point
    // is the instruction after the asm. That is every callee-saved integer
    // register of the psABI (the kernel uses no FP registers). `suspend`'s
    // `ret` goes to the address `resume`'s `jalr` left in `cpu.pc`, and a new
    // context runs `entry(arg)` on `stack_top` via the trampoline without
    // touching sstatus.
    unsafe impl ldex_core::Context for Context {
        const EMPTY: Self = Context::EMPTY;

        fn new(entry: extern "C-unwind" fn(usize) -> !, arg: usize, stack_top: *mut u8) -> Self {
            Context {
                pc: start_trampoline as *const () as usize,
                sp: (stack_top as usize) & !15,
                s0: entry as *const () as usize,
                s1: arg,
            }
        }

        #[inline(always)]
        unsafe fn resume(cpu: *mut Self, process: *mut Self) {
            // SAFETY: the trait's contract: `process.pc` is a landing (or the
            // trampoline) that saves our pc and sp in `*cpu` and runs the
            // process until its `suspend` returns here with s10 = `cpu` and
            // s11 = `process`.
            unsafe {
                asm!(
                    concat!(sx!(), " s0, {s0}(s10)"),
                    concat!(sx!(), " s1, {s1}(s10)"),
                    concat!(lx!(), " t1, {pc}(s11)"),
                    // The crux: a call (rd = ra) through a non-link register,
                    // so the return-address stack pushes ra and suspend's
                    // `ret` pops it.
                    "jalr ra, t1",
                    concat!(lx!(), " s0, {s0}(s10)"),
                    concat!(lx!(), " s1, {s1}(s10)"),
                    pc = const offset_of!(Context, pc),
                    s0 = const offset_of!(Context, s0),
                    s1 = const offset_of!(Context, s1),
                    in("s10") cpu,
                    in("s11") process,
                    out("s2") _, out("s3") _, out("s4") _, out("s5") _,
                    out("s6") _, out("s7") _, out("s8") _, out("s9") _,
                    clobber_abi("C"),
                );
            }
        }

        #[inline(always)]
        unsafe fn suspend(process: *mut Self, cpu: *mut Self) {
            // SAFETY: the trait's contract: `cpu.pc` and `cpu.sp` are the
            // return point and stack of the `resume` that is running us,
            // which wants `cpu` and `process` back in s10 and s11, and the
            // next `resume` of `process` calls the landing below with s10 =
            // its cpu and s11 = `process`.
            unsafe {
                asm!(
                    concat!(sx!(), " s0, {s0}(s11)"),
                    concat!(sx!(), " s1, {s1}(s11)"),
                    concat!(sx!(), " sp, {sp}(s11)"),
                    "lla t1, 2f",
                    concat!(sx!(), " t1, {pc}(s11)"),
                    concat!(lx!(), " sp, {sp}(s10)"),
                    concat!(lx!(), " ra, {pc}(s10)"),
                    // The crux: back to just after resume's `jalr`; the
                    // return-address stack has it on top.
                    "ret",
                    // The landing, called by the next resume of this process.
                    "2:",
                    concat!(sx!(), " ra, {pc}(s10)"),
                    concat!(sx!(), " sp, {sp}(s10)"),
                    concat!(lx!(), " sp, {sp}(s11)"),
                    concat!(lx!(), " s0, {s0}(s11)"),
                    concat!(lx!(), " s1, {s1}(s11)"),
                    pc = const offset_of!(Context, pc),
                    sp = const offset_of!(Context, sp),
                    s0 = const offset_of!(Context, s0),
                    s1 = const offset_of!(Context, s1),
                    inout("s10") cpu => _,
                    in("s11") process,
                    out("s2") _, out("s3") _, out("s4") _, out("s5") _,
                    out("s6") _, out("s7") _, out("s8") _, out("s9") _,
                    clobber_abi("C"),
                );
            }
        }
    }
}

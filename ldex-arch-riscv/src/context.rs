//! swtch: the kernel register context of one kernel thread.
//!
//! ```text
//!   Context (14 * XLENB)        what lives there
//!   +------------------+  0     ra: where swtch returns to (or the start
//!   | ra               |            trampoline for a new context)
//!   | sp               |  1     the kernel stack pointer
//!   | s0 .. s11        |  2..13 the callee-saved registers of the psABI
//!   +------------------+
//! ```
//!
//! [`ldex_core::Context::switch`] is a normal call as far as the compiler knows, so the
//! caller has already saved every caller-saved register it still needs;
//! swtch keeps the callee-saved ones, `ra` and `sp` in the `Context` itself
//! (nothing is pushed on the stack) and returns through the loaded `ra`:
//! 14 stores, 14 loads and `ret`, 29 instructions. It runs with interrupts
//! off (the protocol's rule), so no trap can see a half-switched state. The
//! FP registers are not touched here: they belong to a process, not to a
//! kernel thread, and [`crate::fpu`] saves them lazily.
//!
//! A new context starts in a two-instruction trampoline: `ra` points to it,
//! `s0` holds the entry function and `s1` its argument.

use core::mem::{offset_of, size_of};

use static_assertions::const_assert_eq;

use crate::xlen::XLENB;

/// The saved kernel registers of one kernel thread.
#[repr(C)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Context {
    /// The return address of the `swtch` call.
    pub ra: usize,
    /// The kernel stack pointer.
    pub sp: usize,
    /// `s0..=s11`.
    pub s: [usize; 12],
}

const_assert_eq!(offset_of!(Context, ra), 0);
const_assert_eq!(offset_of!(Context, sp), XLENB);
const_assert_eq!(offset_of!(Context, s), 2 * XLENB);
const_assert_eq!(size_of::<Context>(), 14 * XLENB);

impl Context {
    /// A context that has not been saved into yet.
    pub const EMPTY: Context = Context {
        ra: 0,
        sp: 0,
        s: [0; 12],
    };
}

#[cfg(any(target_arch = "riscv32", target_arch = "riscv64"))]
pub use imp::swtch;

#[cfg(any(target_arch = "riscv32", target_arch = "riscv64"))]
mod imp {
    use core::mem::offset_of;

    use super::Context;
    use crate::xlen::{XLENB, lx, sx};

    /// Start of a new context: `s0` = entry, `s1` = its argument.
    #[unsafe(naked)]
    extern "C" fn start_trampoline() -> ! {
        core::arch::naked_asm!("mv a0, s1", "jr s0")
    }

    /// `swtch(from: a0, to: a1)`, the raw routine behind
    /// [`ldex_core::Context::switch`], for assembly callers and the
    /// register-survival test.
    ///
    /// # Safety
    /// As for [`ldex_core::Context::switch`].
    #[unsafe(naked)]
    pub unsafe extern "C" fn swtch(from: *mut Context, to: *const Context) {
        core::arch::naked_asm!(
            concat!(sx!(), " ra, {ra}(a0)"),
            concat!(sx!(), " sp, {sp}(a0)"),
            ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11",
            concat!(sx!(), " s\\n, {s}+\\n*{xlenb}(a0)"),
            ".endr",
            concat!(lx!(), " ra, {ra}(a1)"),
            concat!(lx!(), " sp, {sp}(a1)"),
            ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11",
            concat!(lx!(), " s\\n, {s}+\\n*{xlenb}(a1)"),
            ".endr",
            "ret",
            ra = const offset_of!(Context, ra),
            sp = const offset_of!(Context, sp),
            s = const offset_of!(Context, s),
            xlenb = const XLENB,
        )
    }

    // SAFETY: swtch saves ra, sp and s0-s11 (every callee-saved integer
    // register of the psABI; the kernel does not use FP registers), and a new
    // context runs `entry(arg)` on `stack_top` via the trampoline without
    // touching sstatus.
    unsafe impl ldex_core::Context for Context {
        const EMPTY: Self = Context::EMPTY;

        fn new(entry: extern "C-unwind" fn(usize) -> !, arg: usize, stack_top: *mut u8) -> Self {
            let mut c = Context::EMPTY;
            c.ra = start_trampoline as *const () as usize;
            c.sp = (stack_top as usize) & !15;
            c.s[0] = entry as *const () as usize;
            c.s[1] = arg;
            c
        }

        unsafe fn switch(from: *mut Self, to: *const Self) {
            // SAFETY: the caller's contract is swtch's.
            unsafe { swtch(from, to) }
        }
    }
}

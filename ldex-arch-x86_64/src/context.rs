//! swtch: the kernel register context and the switch between two of them.
//!
//! The System V ABI makes rbx, rbp and r12–r15 callee-saved; everything else
//! is already dead (or saved by the caller) when `Context::switch` is called.
//! So `swtch` pushes the six onto the *current* stack, stores rsp into
//! `from`, loads `to`'s rsp and pops the six pushed there; the return
//! address `call` left on each stack is the implicit rip. A [`Context`] is
//! therefore just a saved stack pointer:
//!
//! ```text
//!   ctx.rsp -> +0x00 r15
//!              +0x08 r14
//!              +0x10 r13    (Context::new: entry)
//!              +0x18 r12    (Context::new: arg)
//!              +0x20 rbp
//!              +0x28 rbx
//!              +0x30 rip    (return address; Context::new: start_thread)
//!   new only:  +0x38 .....  stack top, 16-aligned
//! ```
//!
//! Interrupts are off across the switch (the protocol's rule); swtch neither
//! reads nor changes RFLAGS, so they stay off.

use core::mem::{offset_of, size_of};

use static_assertions::const_assert_eq;

/// The saved kernel stack pointer of a kernel thread; its callee-saved
/// registers and resume address sit on that stack (see the module map).
#[repr(C)]
#[derive(Debug)]
pub struct Context {
    rsp: u64,
}

const_assert_eq!(offset_of!(Context, rsp), 0);
const_assert_eq!(size_of::<Context>(), 8);

/// Words `Context::new` places below the stack top (see the module map).
const NEW_WORDS: usize = 7;
/// Slot indices of the new-context words, counted from `ctx.rsp`.
const SLOT_ENTRY: usize = 2;
const SLOT_ARG: usize = 3;
const SLOT_RIP: usize = 6;

/// swtch(from = rdi, to = rsi): 15 instructions. The raw routine behind
/// [`ldex_core::Context::switch`], for assembly callers and the conformance
/// kit's register probe.
///
/// # Safety
/// As for [`ldex_core::Context::switch`].
#[unsafe(naked)]
pub unsafe extern "C" fn swtch(from: *mut Context, to: *const Context) {
    core::arch::naked_asm!(
        "push rbx",
        "push rbp",
        "push r12",
        "push r13",
        "push r14",
        "push r15",
        "mov [rdi + {rsp}], rsp",
        "mov rsp, [rsi + {rsp}]",
        "pop r15",
        "pop r14",
        "pop r13",
        "pop r12",
        "pop rbp",
        "pop rbx",
        "ret",
        rsp = const offset_of!(Context, rsp),
    )
}

/// The first code of a new context: its stack pointer is the (16-aligned)
/// stack top, r12 holds the argument and r13 the entry. `call` keeps the
/// ABI's entry alignment; the entry never returns.
#[unsafe(naked)]
extern "C" fn start_thread() -> ! {
    core::arch::naked_asm!("mov rdi, r12", "call r13", "ud2")
}

// SAFETY: swtch saves rbx, rbp, r12–r15, rsp and the resume address, which
// are all the callee-saved state of the System V ABI (the x87 control word
// and MXCSR never change in the kernel, which uses no floating point). A new
// context runs `entry(arg)` on its stack and leaves RFLAGS alone.
unsafe impl ldex_core::Context for Context {
    const EMPTY: Self = Context { rsp: 0 };

    fn new(entry: extern "C-unwind" fn(usize) -> !, arg: usize, stack_top: *mut u8) -> Self {
        assert!(
            (stack_top as usize).is_multiple_of(16),
            "a kernel stack top must be 16-aligned"
        );
        let base = stack_top.cast::<u64>().wrapping_sub(NEW_WORDS);
        let mut words = [0u64; NEW_WORDS];
        words[SLOT_ENTRY] = entry as usize as u64;
        words[SLOT_ARG] = arg as u64;
        words[SLOT_RIP] = start_thread as *const () as usize as u64;
        // SAFETY: the caller hands over the stack below `stack_top`; the
        // seven words just below it are the new context's first frame.
        unsafe { base.copy_from_nonoverlapping(words.as_ptr(), NEW_WORDS) };
        Context { rsp: base as u64 }
    }

    unsafe fn switch(from: *mut Self, to: *const Self) {
        // SAFETY: the trait's contract is swtch's.
        unsafe { swtch(from, to) }
    }
}

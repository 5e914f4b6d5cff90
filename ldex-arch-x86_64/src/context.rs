//! swtch: the kernel register context, and the asymmetric pair that moves a
//! CPU between its scheduler and a process.
//!
//! # Each call is paired with its return
//! [`resume`](ldex_core::Context::resume) *calls* into the process: its
//! `call` pushes a return address on the scheduler's stack and jumps to where
//! the process suspended. [`suspend`](ldex_core::Context::suspend) *returns*
//! to the scheduler: it loads the scheduler's stack pointer and `ret`s to
//! that very address. So the return-stack predictor sees every `ret` after
//! the `call` it belongs to, and predicts it; a symmetric swtch `ret`s to an
//! address pushed on another stack, which it never does.
//!
//! Both are inline asm (`#[inline(always)]`), so that no other `call` or
//! `ret` of a function of ours stands between the pair, and so that the
//! compiler saves only the callee-saved registers live at the call site,
//! hoisted out of the scheduler loop: the asm declares r12 and r13 and every
//! caller-saved register clobbered, pushes only rbx and rbp itself (LLVM
//! reserves them, so they cannot be declared clobbered), and hands r14 and
//! r15 back as it got them (below).
//!
//! # The context pointers stay in registers
//! Both calls take `r14` = the CPU's context and `r15` = the process's, two
//! callee-saved registers, and `resume` gives both back unchanged: `suspend`
//! is handed the very pointers its `resume` was (the trait's contract) and
//! `ret`s with them still in r14 and r15; the landing is called with the same
//! `process` in r15. So a scheduler loop keeps its two pointers in r14 and
//! r15 for good. Were they clobbered, the compiler would park them in rbx,
//! rbp or a stack slot and reload them after each switch, through a stack
//! pointer that was itself just loaded from a `Context`: each round trip
//! would wait on a chain of four store-to-load round trips (the scheduler's
//! rsp, its parked pointer, the process's rsp, the process's parked
//! pointer) instead of running the two stacks' chains side by side.
//! `suspend` declares r14 changed, as its process may be resumed by another
//! CPU's scheduler.
//!
//! # What is saved where
//! ```text
//!   scheduler stack, while a process runs     process stack, while suspended
//!   cpu.rsp -> +0x00 return into resume        process.rsp -> +0x00 rbx
//!              +0x08 rbx                                      +0x08 rbp
//!              +0x10 rbp                       process.rip = the landing in
//!                                                 suspend (new: start_thread)
//!   new only: process.rsp -> +0x00 arg, +0x08 entry, +0x10 0 (no return),
//!             +0x18 the 16-aligned stack top
//! ```
//!
//! Instructions per direction, counting the asm only (the compiler adds a
//! push and a pop per r12–r15 that is live across the call, once per
//! function when the call sits in a loop):
//! * scheduler -> process: `resume` 3 (push, push, call) + the landing 4
//!   (save the scheduler rsp, load the process rsp, pop, pop) = 7;
//! * process -> scheduler: `suspend` 7 (push, push, lea, store rip, store
//!   rsp, load rsp, ret) + `resume`'s 2 pops = 9.
//!
//! Interrupts are off across the switch (the protocol's rule); neither half
//! reads nor changes RFLAGS, so they stay off.

use core::arch::asm;
use core::mem::{offset_of, size_of};

use static_assertions::const_assert_eq;

/// Where a kernel thread left its stack, and where it goes on when resumed.
#[repr(C)]
#[derive(Debug)]
pub struct Context {
    /// The saved stack pointer (see the module map).
    rsp: u64,
    /// A process's resume point: the landing in `suspend`, or `start_thread`.
    /// Unused in a CPU's context, whose resume point is on its stack.
    rip: u64,
}

const_assert_eq!(offset_of!(Context, rsp), 0);
const_assert_eq!(offset_of!(Context, rip), 8);
const_assert_eq!(size_of::<Context>(), 16);

/// Words `Context::new` places below the stack top (see the module map).
const NEW_WORDS: usize = 3;
/// Slot indices of the new-context words, counted from `process.rsp`.
const SLOT_ARG: usize = 0;
const SLOT_ENTRY: usize = 1;

/// The first code of a new process, reached by `resume`'s `call`: it is the
/// landing of `suspend` for a context that never suspended. It records the
/// scheduler's stack in `*cpu` (r14), moves to the new stack (r15's saved
/// rsp) and jumps to `entry(arg)` with the null return address `new` left
/// there, so that the ABI's entry alignment holds and no `call` unbalances
/// the return-stack predictor. The entry never returns.
#[unsafe(naked)]
extern "C" fn start_thread() -> ! {
    core::arch::naked_asm!(
        "mov [r14 + {rsp}], rsp",
        "mov rsp, [r15 + {rsp}]",
        "pop rdi",
        "pop rax",
        "jmp rax",
        rsp = const offset_of!(Context, rsp),
    )
}

// SAFETY: across `resume` and `suspend`, rbx and rbp are pushed and popped by
// the asm, r15 (and r14 across `resume`) comes back holding the pointer it
// held (the trait's contract pairs the calls with the same pointers), and
// every other register is declared clobbered, so the compiler keeps r12–r14
// (and anything caller-saved it still needs) itself; rsp comes
// back to its value at the call, and the resume point is the instruction
// after the asm. That is all the callee-saved state of the System V ABI (the
// x87 control word and MXCSR never change in the kernel, which uses no
// floating point). `suspend`'s `ret` pops the address `resume`'s `call`
// pushed, and a new context runs `entry(arg)` on its stack; neither touches
// RFLAGS.
unsafe impl ldex_core::Context for Context {
    const EMPTY: Self = Context { rsp: 0, rip: 0 };

    fn new(entry: extern "C-unwind" fn(usize) -> !, arg: usize, stack_top: *mut u8) -> Self {
        assert!(
            (stack_top as usize).is_multiple_of(16),
            "a kernel stack top must be 16-aligned"
        );
        let base = stack_top.cast::<u64>().wrapping_sub(NEW_WORDS);
        let mut words = [0u64; NEW_WORDS];
        words[SLOT_ARG] = arg as u64;
        words[SLOT_ENTRY] = entry as usize as u64;
        // SAFETY: the caller hands over the stack below `stack_top`; the
        // three words just below it are the new context's first frame.
        unsafe { base.copy_from_nonoverlapping(words.as_ptr(), NEW_WORDS) };
        Context {
            rsp: base as u64,
            rip: start_thread as *const () as usize as u64,
        }
    }

    #[inline(always)]
    unsafe fn resume(cpu: *mut Self, process: *mut Self) {
        // SAFETY: the trait's contract: `*process` holds a landing (or
        // start_thread) that saves our stack in `*cpu` and runs the process
        // until its `suspend`, given these same two pointers in r14 and r15,
        // returns here.
        unsafe {
            asm!(
                "push rbp",
                "push rbx",
                // The crux: the return address goes on our stack and in the
                // return-stack predictor; suspend's `ret` consumes both.
                "call [r15 + {rip}]",
                "pop rbx",
                "pop rbp",
                rip = const offset_of!(Context, rip),
                in("r14") cpu,
                in("r15") process,
                out("r12") _,
                out("r13") _,
                clobber_abi("C"),
            );
        }
    }

    #[inline(always)]
    unsafe fn suspend(process: *mut Self, cpu: *mut Self) {
        // SAFETY: the trait's contract: `*cpu`'s stack holds the return
        // address of the `resume` that is running us, which wants `cpu` and
        // `process` back in r14 and r15, and the next `resume` of `process`
        // calls the landing below with r14 = its cpu and r15 = `process`.
        unsafe {
            asm!(
                "push rbp",
                "push rbx",
                "lea rax, [rip + 2f]",
                "mov [r15 + {rip}], rax",
                "mov [r15 + {rsp}], rsp",
                "mov rsp, [r14 + {rsp}]",
                // The crux: back to just after resume's `call`, on the
                // scheduler's stack; the predictor has it on top.
                "ret",
                // The landing, called by the next resume of this process.
                "2:",
                "mov [r14 + {rsp}], rsp",
                "mov rsp, [r15 + {rsp}]",
                "pop rbx",
                "pop rbp",
                rsp = const offset_of!(Context, rsp),
                rip = const offset_of!(Context, rip),
                inout("r14") cpu => _,
                in("r15") process,
                out("r12") _,
                out("r13") _,
                clobber_abi("C"),
            );
        }
    }
}

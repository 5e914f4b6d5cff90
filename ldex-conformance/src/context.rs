//! The switch: callee-saved registers survive it in both directions, and a
//! new context starts `entry(arg)` on its own stack.
//!
//! Two kernel threads ping-pong: the caller plays the scheduler and resumes
//! a process context made by `Context::new`; the process suspends back.
//! Before every hop each side fills its callee-saved registers with a
//! pattern of its own round ([`Backend::probe`]) and checks them, and the
//! stack pointer, when it is switched back to. A switch that forgets one
//! register on either side shows up as a nonzero mask on that side.

use core::mem::{ManuallyDrop, size_of};

use ldex_core::Context as _;

use crate::{Backend, Ctx, Failure, Outcome};

/// `Context::resume` as a C function, for a probe to call.
///
/// # Safety
/// As for [`ldex_core::Context::resume`].
pub unsafe extern "C" fn resume_hop<B: Backend>(cpu: *mut Ctx<B>, process: *mut Ctx<B>) {
    // SAFETY: forwarded from the caller.
    unsafe { Ctx::<B>::resume(cpu, process) }
}

/// `Context::suspend` as a C function, for a probe to call.
///
/// # Safety
/// As for [`ldex_core::Context::suspend`].
pub unsafe extern "C" fn suspend_hop<B: Backend>(process: *mut Ctx<B>, cpu: *mut Ctx<B>) {
    // SAFETY: forwarded from the caller.
    unsafe { Ctx::<B>::suspend(process, cpu) }
}

/// Hops per direction (enough for a lost register to meet a changed value).
pub const ROUNDS: usize = 1000;

/// The new context's stack.
#[repr(C, align(16))]
struct Stack([u8; 16 * 1024]);

/// What both sides share; the process side finds it through its argument.
/// The contexts are never dropped: the process side stays parked in its
/// last suspend (a hosted backend would otherwise unwind it through the
/// probe's C frames).
struct PingPong<B: Backend> {
    scheduler: ManuallyDrop<Ctx<B>>,
    process: ManuallyDrop<Ctx<B>>,
    /// The argument the process side received.
    got_arg: usize,
    /// The process side's rounds and the OR of its probe masks.
    process_rounds: usize,
    process_lost: u32,
}

/// The process side: record the argument it was started with, then
/// suspend for ever.
extern "C-unwind" fn process_side<B: Backend>(arg: usize) -> ! {
    let shared = arg as *mut PingPong<B>;
    // SAFETY: `arg` is the PingPong the scheduler side keeps alive (and does
    // not touch) while this side runs.
    unsafe { (*shared).got_arg = arg };
    for round in 0usize.. {
        // SAFETY: as above; the scheduler's resume that brought this side
        // here has not returned.
        let lost = unsafe {
            B::probe(
                suspend_hop::<B>,
                (&raw mut (*shared).process).cast(),
                (&raw mut (*shared).scheduler).cast(),
                0xb000_0000 ^ (round << 8),
            )
        };
        // SAFETY: as above.
        unsafe {
            (*shared).process_lost |= lost;
            (*shared).process_rounds += 1;
        }
    }
    unreachable!("the process side suspends for ever")
}

/// Resume a new process context [`ROUNDS`] times and have it suspend back
/// each time; both sides keep every callee-saved register and their stack
/// pointer.
///
/// # Safety
/// Runs with interrupts off (the switch's rule) on a CPU where nothing else
/// switches meanwhile.
pub unsafe fn callee_saved_registers_survive_resume_and_suspend<B: Backend>() -> Outcome {
    const CHECK: &str = "callee_saved_registers_survive_resume_and_suspend";
    let mut stack = Stack([0; 16 * 1024]);
    let top = (&raw mut stack)
        .cast::<u8>()
        .wrapping_add(size_of::<Stack>());
    let mut shared = PingPong::<B> {
        scheduler: ManuallyDrop::new(Ctx::<B>::EMPTY),
        process: ManuallyDrop::new(Ctx::<B>::EMPTY),
        got_arg: 0,
        process_rounds: 0,
        process_lost: 0,
    };
    let at = &raw mut shared;
    // SAFETY: `stack` outlives every switch to the process side, which runs
    // only inside the probes below.
    unsafe { *(*at).process = Ctx::<B>::new(process_side::<B>, at as usize, top) };
    let mut lost = 0;
    for round in 0..ROUNDS {
        // SAFETY: the process context was made above or saved by its last
        // suspend; the caller keeps interrupts off.
        lost |= unsafe {
            B::probe(
                resume_hop::<B>,
                (&raw mut (*at).scheduler).cast(),
                (&raw mut (*at).process).cast(),
                0xa000_0000 ^ (round << 8),
            )
        };
    }
    // SAFETY: the process side is parked in its last suspend.
    let shared = unsafe { &*at };
    if shared.got_arg != at as usize {
        return Err(
            Failure::new(CHECK, "the new context did not run entry(arg)")
                .values(at as usize, shared.got_arg),
        );
    }
    if lost != 0 {
        return Err(Failure::new(
            CHECK,
            "registers lost on the scheduler side (bit i: callee-saved register i, bit 31: the stack pointer)",
        )
        .values(0, lost as usize));
    }
    if shared.process_lost != 0 {
        return Err(Failure::new(
            CHECK,
            "registers lost on the process side (bit i: callee-saved register i, bit 31: the stack pointer)",
        )
        .values(0, shared.process_lost as usize));
    }
    // The process side finished every round but the last, which is still
    // waiting to come back.
    crate::expect(
        CHECK,
        "process-side rounds completed",
        ROUNDS - 1,
        shared.process_rounds,
    )
}

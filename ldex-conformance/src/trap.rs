//! The trap path, run for real: a user snippet traps three times into a
//! sink of the kit's own, which records what the entry saved.
//!
//! The [`Snippet`] a runner maps for user mode is, in the arch's own
//! instructions,
//!
//! ```text
//!   entry:        syscall          trap 1
//!   entry + L:    syscall          trap 2
//!   entry + 2L:   spin: jump spin  trap 3 is the timer, taken here
//! ```
//!
//! and [`run`] drives it like the protocol drives a process: it fills a
//! `new_user` frame at the top of a kernel stack with a register pattern,
//! calls `Arch::enter_process`, and resumes a new context that calls
//! `Arch::return_to_user`. Then:
//!
//! 1. Trap 1 (a system call). The sink records the frame and whether
//!    interrupts are on, then writes a second pattern into every register
//!    of the frame and returns.
//! 2. Trap 2 (a system call) must show that second pattern: return-from-trap
//!    restored every register. The sink makes the timer interrupt pending
//!    (and waits until it surely is) and returns, with interrupts off, into
//!    the return path.
//! 3. Trap 3 must be that timer interrupt, taken from user mode at the spin
//!    loop: the return path kept interrupts off until the hardware's own
//!    return-from-trap (the window of Tock PR #2308; x86's `swapgs` before
//!    `sysretq`/`iretq`). Had it let the interrupt in earlier, trap 3 would
//!    have come from kernel mode. The sink quiets the timer and suspends to
//!    [`run`], which evaluates the four checks.
//!
//! | check | proves |
//! |-------|--------|
//! | `trap_frame_round_trip_keeps_every_register` | the entry saves every user register and return-from-trap restores every one |
//! | `syscall_pc_is_past_the_trapping_instruction` | `TrapFrame::pc` of a system call is already advanced |
//! | `interrupts_are_off_at_trap_entry` | the sink runs with interrupts off, from user mode too |
//! | `pending_interrupt_waits_out_the_return_window` | a pending interrupt is taken in user mode, not in the window |

use core::cell::UnsafeCell;
use core::marker::PhantomData;
use core::mem::{ManuallyDrop, size_of};
use core::ptr::null_mut;
use core::sync::atomic::{AtomicPtr, Ordering};

use ldex_core::arch::{TrapFrame as _, TrapSink};
use ldex_core::{Arch, Context as _, Interrupts, Timer as _, TrapCause};

use crate::{Backend, Ctx, Failure, Frame, Outcome, Registers, expect, pattern};

/// Where the user snippet is: the program of the module docs, in memory
/// its address space maps executable for user mode.
pub struct Snippet<B: Backend> {
    /// Its first instruction (`entry` in the module docs).
    pub entry: usize,
    /// The user stack pointer to start with (the snippet never uses it).
    pub stack: usize,
    /// The address space mapping it for user mode, if the arch needs one.
    pub aspace: Option<<B::Arch as Arch>::AddressSpace>,
}

/// The kit's trap sink; install it with the trap table before [`run`].
pub fn sink<B: Backend>() -> &'static impl TrapSink<Frame<B>> {
    &Probe::<B>(PhantomData)
}

/// What the sink saw at one trap.
#[derive(Clone, Copy)]
struct Seen {
    registers: Registers,
    pc: usize,
    from_user: bool,
    cause: TrapCause,
    interrupts: bool,
}

/// The traps the snippet takes.
const TRAPS: usize = 3;
/// The pattern the first frame starts with, and the one trap 1 writes.
const FIRST: usize = 0x1111_0000;
const SECOND: usize = 0x2222_0000;

/// One run's state, on [`run`]'s stack; the sink finds it through [`RIG`].
/// The contexts are never dropped: the snippet's stays parked in its last
/// suspend, abandoned.
struct Rig<B: Backend> {
    /// The timer, made pending at trap 2 and quieted at trap 3.
    timer: *const <B::Arch as Arch>::Timer,
    scheduler: ManuallyDrop<Ctx<B>>,
    process: ManuallyDrop<Ctx<B>>,
    seen: [Option<Seen>; TRAPS],
    traps: usize,
}

/// The running [`Rig`] (a `Rig<B>` of the `B` the sink was made for), or
/// null outside [`run`].
static RIG: AtomicPtr<()> = AtomicPtr::new(null_mut());

/// The process's kernel stack: the frame at its top, the context below.
#[repr(C, align(16))]
struct KernelStack(UnsafeCell<[u8; 16 * 1024]>);

// SAFETY: only [`run`] uses it, and [`RIG`] makes runs exclusive.
unsafe impl Sync for KernelStack {}

static KSTACK: KernelStack = KernelStack(UnsafeCell::new([0; 16 * 1024]));

/// The sink: records each trap into the running [`Rig`] and acts on it.
struct Probe<B>(PhantomData<fn() -> B>);

impl<B: Backend> TrapSink<Frame<B>> for Probe<B> {
    fn trap(&self, frame: &mut Frame<B>, cause: TrapCause) {
        let interrupts = <B::Arch as Interrupts>::are_enabled();
        let rig = RIG.load(Ordering::Acquire).cast::<Rig<B>>();
        assert!(!rig.is_null(), "a trap outside a conformance run");
        // SAFETY: `run` published its live Rig<B> and waits in its resume
        // until the last trap suspends back; this is the only CPU.
        let rig = unsafe { &mut *rig };
        rig.seen[rig.traps] = Some(Seen {
            registers: Registers::of::<B>(frame),
            pc: frame.pc(),
            from_user: frame.from_user(),
            cause,
            interrupts,
        });
        rig.traps += 1;
        match rig.traps {
            1 => {
                (0..B::REGISTERS.len()).for_each(|i| B::set_register(frame, i, pattern(SECOND, i)))
            }
            // SAFETY: `run` borrows the timer until it returns.
            2 => unsafe { pend(&*rig.timer) },
            _ => {
                // SAFETY: as above.
                unsafe {
                    (*rig.timer).disarm();
                    (*rig.timer).acknowledge();
                }
                // SAFETY: `run`'s resume of this context has not returned;
                // interrupts are off in the sink. This context is never
                // resumed again: `run` abandons it.
                unsafe {
                    Ctx::<B>::suspend(
                        (&raw mut rig.process).cast(),
                        (&raw mut rig.scheduler).cast(),
                    )
                };
                unreachable!("the abandoned snippet context was resumed");
            }
        }
    }
}

/// Make the timer interrupt pending: a deadline of now, then 10 µs of
/// waiting, so that even a one-shot timer counting its own (slower) ticks
/// has fired before the return path runs. (A simulated clock stands still
/// in the kernel: its deadline of now is due at once.)
fn pend<T: ldex_core::Timer>(timer: &T) {
    let due = timer.now();
    timer.set_deadline(due);
    let settled = due + timer.frequency_hz() / 100_000;
    while timer.now() < settled {
        core::hint::spin_loop();
    }
}

/// The new context's entry: return-from-trap into the frame.
extern "C-unwind" fn start<B: Backend>(frame: usize) -> ! {
    // SAFETY: `run` filled the frame at the top of the kernel stack named
    // to enter_process; it describes user mode.
    unsafe { B::Arch::return_to_user(frame as *mut Frame<B>) }
}

/// Run the snippet and evaluate the trap checks, in the order of the
/// module docs' table.
///
/// # Safety
/// Kernel mode, interrupts off, one CPU, the sink of [`sink::<B>`] installed
/// as the trap table's, `timer` started; `snippet` is the program of the
/// module docs, mapped for user mode by its address space.
pub unsafe fn run<B: Backend>(
    snippet: &Snippet<B>,
    timer: &<B::Arch as Arch>::Timer,
) -> [(&'static str, Outcome); 4] {
    let mut rig = Rig::<B> {
        timer,
        scheduler: ManuallyDrop::new(Ctx::<B>::EMPTY),
        process: ManuallyDrop::new(Ctx::<B>::EMPTY),
        seen: [None; TRAPS],
        traps: 0,
    };
    // From here on the rig is only reached through `at`, as the sink does.
    let at = &raw mut rig;
    let claimed = RIG.compare_exchange(null_mut(), at.cast(), Ordering::AcqRel, Ordering::Acquire);
    assert!(claimed.is_ok(), "one conformance run at a time");
    let top = KSTACK
        .0
        .get()
        .cast::<u8>()
        .wrapping_add(size_of::<KernelStack>());
    let frame = top.wrapping_sub(size_of::<Frame<B>>()).cast::<Frame<B>>();
    let mut first = Frame::<B>::new_user(snippet.entry, snippet.stack);
    (0..B::REGISTERS.len()).for_each(|i| B::set_register(&mut first, i, pattern(FIRST, i)));
    let mut state = <B::Arch as Arch>::ProcessState::default();
    // SAFETY: KSTACK is static, so its top stays valid; the caller vouches
    // for the snippet's address space and for interrupts being off. The
    // frame is the stack's top `size_of::<Frame>()` bytes (a multiple of
    // 16, as TrapFrame promises), and the context runs below it.
    let seen = unsafe {
        frame.write(first);
        B::Arch::enter_process(frame, snippet.aspace, &mut state);
        (*at).process = ManuallyDrop::new(Ctx::<B>::new(start::<B>, frame as usize, frame.cast()));
        Ctx::<B>::resume(
            (&raw mut (*at).scheduler).cast(),
            (&raw mut (*at).process).cast(),
        );
        (*at).seen
    };
    // SAFETY: the process suspended for the last time; nothing else
    // touches its frame, which the entry wrote on KSTACK.
    B::Arch::leave_process(unsafe { &mut *frame }, &mut state);
    RIG.store(null_mut(), Ordering::Release);
    let seen = seen.map(|s| s.expect("the last trap suspends back"));
    let entry = snippet.entry;
    [
        (
            "trap_frame_round_trip_keeps_every_register",
            round_trip::<B>(&seen),
        ),
        (
            "syscall_pc_is_past_the_trapping_instruction",
            pc_advance::<B>(&seen, entry),
        ),
        ("interrupts_are_off_at_trap_entry", interrupts_off(&seen)),
        (
            "pending_interrupt_waits_out_the_return_window",
            return_window::<B>(&seen, entry),
        ),
    ]
}

fn round_trip<B: Backend>(seen: &[Seen; TRAPS]) -> Outcome {
    const CHECK: &str = "trap_frame_round_trip_keeps_every_register";
    let skip = B::TRAP_CLOBBERS;
    let want = [FIRST, SECOND, SECOND];
    let what = [
        "trap 1 saved the registers return-from-trap loaded",
        "trap 2 saved the registers the kernel wrote into the frame",
        "trap 3 saved the registers trap 2 returned with",
    ];
    for ((seen, seed), what) in seen.iter().zip(want).zip(what) {
        seen.registers
            .expect::<B>(CHECK, what, skip, |i| pattern(seed, i))?;
    }
    Ok(())
}

fn pc_advance<B: Backend>(seen: &[Seen; TRAPS], entry: usize) -> Outcome {
    const CHECK: &str = "syscall_pc_is_past_the_trapping_instruction";
    for (n, seen) in seen[..2].iter().enumerate() {
        if seen.cause != TrapCause::Syscall {
            return Err(Failure::new(CHECK, "a system call was not reported as one"));
        }
        expect(
            CHECK,
            "pc of the system call's frame",
            entry + (n + 1) * B::SYSCALL_LENGTH,
            seen.pc,
        )?;
    }
    Ok(())
}

fn interrupts_off(seen: &[Seen; TRAPS]) -> Outcome {
    const CHECK: &str = "interrupts_are_off_at_trap_entry";
    match seen.iter().position(|s| s.interrupts) {
        None => Ok(()),
        Some(n) => Err(
            Failure::new(CHECK, "interrupts were on at the entry of trap (1-based)")
                .values(0, n + 1),
        ),
    }
}

fn return_window<B: Backend>(seen: &[Seen; TRAPS], entry: usize) -> Outcome {
    const CHECK: &str = "pending_interrupt_waits_out_the_return_window";
    let third = &seen[2];
    if third.cause != TrapCause::Timer {
        return Err(Failure::new(
            CHECK,
            "the pending timer interrupt was not the next trap",
        ));
    }
    if !seen.iter().all(|s| s.from_user) {
        return Err(Failure::new(
            CHECK,
            "a trap came from kernel mode: an interrupt was taken inside the return path",
        ));
    }
    expect(
        CHECK,
        "pc of the timer trap (the spin loop)",
        entry + 2 * B::SYSCALL_LENGTH,
        third.pc,
    )
}

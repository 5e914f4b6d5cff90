//! `swtch` for the simulator: a process's [`Context`] is a stackful
//! coroutine ([corosensei]).
//!
//! The protocol only ever switches between the scheduler and one process:
//! the scheduler *resumes* a process's kernel context, and the process
//! *suspends* back to the scheduler. A coroutine is exactly that pair, so
//! the scheduler's context is whatever stack its CPU's loop runs on (the
//! host thread's with one CPU, the CPU's own coroutine with several, see
//! [`crate::smp`]; the empty context: nothing to save, corosensei saves
//! those registers inside `resume`), and each process context is one
//! coroutine, which any CPU may resume:
//!
//! ```text
//!   host thread stack                 coroutine stack of process P
//!   Kernel::run -> dispatch
//!     resume(cpu, P) ---------------> process_start / trap handler ...
//!                                       sched_out
//!     <------------------------------- suspend(P, cpu)
//!   (reap or pick the next one)
//! ```
//!
//! The coroutine's stack stands in for the call frames of the process's
//! kernel stack; the trap frame itself still lives at the top of the
//! process's real kernel stack in the kernel's stack storage, where the
//! protocol put it. Everything runs on one host thread, so a run is
//! deterministic.
//!
//! Ending: dropping a context whose coroutine is suspended makes corosensei
//! unwind that coroutine's stack (through `process_start`, whose ABI is
//! `C-unwind` for this), so a reaped or abandoned process leaves nothing
//! behind. A panic inside a process (a kernel bug, or the machine's
//! [`Halted`](crate::machine::Halted)) ends its coroutine and carries on
//! unwinding out of the scheduler's `resume`, on the host stack.
//!
//! Why corosensei: it is the field's stackful-coroutine crate (wasmer runs
//! on it), it is already the peer of `ldex-bench`'s switch benchmark, its
//! stacks are `mmap`ed with a guard page and only touched pages cost
//! memory, and its drop unwinds a suspended coroutine, which is the
//! clean-up the simulator needs.
//!
//! [corosensei]: https://docs.rs/corosensei

use std::cell::Cell;
use std::ptr::NonNull;
use std::rc::Rc;

use corosensei::stack::DefaultStack;
use corosensei::{Coroutine, CoroutineResult, Yielder};
use ldex_core::Context;

/// Host stack of a simulated kernel context (its call frames: trap
/// handler, system calls, the OS, `sched_out`). Reserved address space;
/// only the pages a process touches are ever backed by memory.
const COROUTINE_STACK: usize = 256 * 1024;

/// Why a process's coroutine gave control back to its CPU's scheduler.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Leave {
    /// `Context::suspend`: the process left the CPU.
    Suspended,
    /// The process used its share of a tick on a machine of several CPUs:
    /// its CPU passes the tick on ([`crate::smp`]) and resumes it.
    Tick,
}

/// Where a running coroutine keeps its [`Yielder`], so `suspend` can reach
/// it from any depth of the process's kernel code.
type YielderCell = Rc<Cell<Option<NonNull<Yielder<(), Leave>>>>>;

thread_local! {
    /// The yielder of the process coroutine that runs now, if one does
    /// (the stepped CPU's): set by the coroutine whenever it (re)starts,
    /// cleared by `resume` whenever it stops.
    static RUNNING: Cell<Option<NonNull<Yielder<(), Leave>>>> = const { Cell::new(None) };
}

/// If a process's coroutine runs now, pass the tick it used up to its
/// CPU's scheduler (which hands it on to the driver) and return `true`
/// once resumed; `false` if no process runs (the CPU's own coroutine does).
pub(crate) fn pass_tick_from_process() -> bool {
    let Some(yielder) = RUNNING.with(Cell::get) else {
        return false;
    };
    // SAFETY: RUNNING names the yielder of the coroutine we run on (it is
    // cleared whenever that coroutine stops), which lives on its own stack.
    unsafe { yielder.as_ref() }.suspend(Leave::Tick);
    RUNNING.with(|r| r.set(Some(yielder)));
    true
}

/// A process's kernel thread.
struct Thread {
    coroutine: Coroutine<(), Leave, (), DefaultStack>,
    yielder: YielderCell,
}

/// The saved kernel context of the scheduler (empty: the host thread) or
/// of one process (a coroutine).
pub struct SimContext {
    thread: Option<Thread>,
}

impl std::fmt::Debug for SimContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimContext")
            .field("process", &self.thread.is_some())
            .finish()
    }
}

// SAFETY: the scheduler's context is the host thread, whose registers the
// coroutine switch saves and restores inside `resume`; a process context
// is a coroutine whose `suspend` does the same for the process's own stack.
// A new context runs its entry on its coroutine's stack when first resumed.
// The simulated machine has no interrupts to get wrong across a switch.
unsafe impl Context for SimContext {
    const EMPTY: Self = SimContext { thread: None };

    fn new(entry: extern "C-unwind" fn(usize) -> !, arg: usize, _stack_top: *mut u8) -> Self {
        let yielder: YielderCell = Rc::default();
        let mine = yielder.clone();
        let stack = DefaultStack::new(COROUTINE_STACK).expect("the host can map a stack");
        let coroutine = Coroutine::with_stack(stack, move |y: &Yielder<(), Leave>, ()| {
            mine.set(Some(NonNull::from(y)));
            RUNNING.with(|r| r.set(Some(NonNull::from(y))));
            entry(arg)
        });
        SimContext {
            thread: Some(Thread { coroutine, yielder }),
        }
    }

    /// Scheduler -> process: one coroutine resume, which returns when the
    /// process suspends. A tick the process passes on the way (several
    /// CPUs) is handed to the driver in between.
    unsafe fn resume(_cpu: *mut Self, process: *mut Self) {
        // SAFETY: the caller promises `process` is valid, and only the
        // scheduler touches a process context that is not running.
        let thread = unsafe { &mut *process }
            .thread
            .as_mut()
            .expect("resume of a context that is not a process");
        /// No process runs once `resume` is left, by a return or by a
        /// halt's unwinding.
        struct NoneRunning;
        impl Drop for NoneRunning {
            fn drop(&mut self) {
                RUNNING.with(|r| r.set(None));
            }
        }
        loop {
            let left = {
                let _none_running = NoneRunning;
                thread.coroutine.resume(())
            };
            match left {
                CoroutineResult::Yield(Leave::Suspended) => return,
                CoroutineResult::Yield(Leave::Tick) => crate::smp::yield_cpu(),
                CoroutineResult::Return(()) => unreachable!("a process entry returned"),
            }
        }
    }

    /// Process -> scheduler: one suspend on the process's yielder, which
    /// returns when the scheduler resumes it again.
    unsafe fn suspend(process: *mut Self, _cpu: *mut Self) {
        // SAFETY: the caller promises `process` is valid; a running process
        // is the only user of its own context.
        let thread = unsafe { &*process }
            .thread
            .as_ref()
            .expect("suspend of a context that is not a process");
        let yielder = thread
            .yielder
            .get()
            .expect("a running coroutine has stored its yielder");
        // SAFETY: the yielder lives on the coroutine's own stack for as long
        // as the coroutine runs, and we are running on that coroutine.
        unsafe { yielder.as_ref() }.suspend(Leave::Suspended);
        RUNNING.with(|r| r.set(Some(yielder)));
    }
}

#[cfg(test)]
mod tests {
    use std::ptr::null_mut;
    use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize, Ordering};

    use super::*;

    static CONTEXT: AtomicPtr<SimContext> = AtomicPtr::new(null_mut());
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    static UNWOUND: AtomicBool = AtomicBool::new(false);

    /// Counts its runs and suspends for ever; its guard marks the unwind.
    extern "C-unwind" fn entry(_: usize) -> ! {
        struct Guard;
        impl Drop for Guard {
            fn drop(&mut self) {
                UNWOUND.store(true, Ordering::SeqCst);
            }
        }
        let _guard = Guard;
        loop {
            RUNS.fetch_add(1, Ordering::SeqCst);
            // SAFETY: CONTEXT is this coroutine's own context, set before
            // the first resume, and we run on that coroutine.
            unsafe { SimContext::suspend(CONTEXT.load(Ordering::SeqCst), null_mut()) };
        }
    }

    #[test]
    fn resume_runs_to_the_next_suspend_and_a_dropped_suspended_context_unwinds() {
        let mut process = Box::new(SimContext::new(entry, 0, null_mut()));
        CONTEXT.store(&mut *process, Ordering::SeqCst);
        let mut cpu = SimContext::EMPTY;
        for expected in 1..=3 {
            // SAFETY: `cpu` is the empty scheduler context, we are on the
            // host stack, and `process` is a live process context.
            unsafe { SimContext::resume(&mut cpu, &mut *process) };
            assert_eq!(RUNS.load(Ordering::SeqCst), expected);
        }
        assert!(!UNWOUND.load(Ordering::SeqCst));
        drop(process);
        assert!(
            UNWOUND.load(Ordering::SeqCst),
            "the suspended stack was unwound"
        );
    }
}

//! Several simulated CPUs on one host thread, stepped in a fixed order.
//!
//! Each CPU is a stackful coroutine (as each process's kernel context is,
//! see [`crate::context`]) whose body is that CPU's boot code and then
//! `Kernel::run`, the scheduler loop. The driver, [`run_cpus`], resumes
//! CPU 0, then CPU 1, and so on: each runs until it has used its share of
//! the current tick and calls [`pass_tick`], which suspends it back to the
//! driver. When every CPU has had its share, time moves on one tick. The
//! order never changes, so a run is the same every time.
//!
//! ```text
//!   driver (host stack)        CPU k's coroutine         process P's coroutine
//!   resume CPU k  ---------->  Kernel::run -> dispatch
//!                              resume(cpu, P) -------->  user code ... tick
//!                                                        pass_tick: suspend(Tick)
//!                              <-------------------------
//!   <-----------------------   pass_tick: suspend(())
//!   (CPU k+1, ..., time + 1)
//!   resume CPU k  ---------->  resume(cpu, P) again ---> (continues after its tick)
//! ```
//!
//! A process's coroutine can only suspend to whoever resumed it, its CPU's
//! scheduler; so a tick used up inside a process is passed up in two
//! steps: the process suspends with [`Leave::Tick`](crate::context), and
//! its CPU's `SimContext::resume` suspends the CPU to the driver before
//! resuming the process again.
//!
//! With one CPU none of this runs: the scheduler loop runs on the host
//! stack and a tick moves time on at once, as it always did.

use std::cell::Cell;
use std::ptr::NonNull;
use std::rc::Rc;

use corosensei::stack::DefaultStack;
use corosensei::{Coroutine, CoroutineResult, Yielder};

use crate::context;
use crate::machine::{Machine, set_stepping, stepping};

/// Host stack of a simulated CPU's scheduler loop.
const CPU_STACK: usize = 256 * 1024;

/// Where a CPU coroutine's yielder is kept (set when it first runs).
type CpuYielder = Option<NonNull<Yielder<(), ()>>>;

thread_local! {
    /// The yielder of the CPU coroutine being stepped.
    static CPU_YIELDER: Cell<CpuYielder> = const { Cell::new(None) };
}

/// The stepped CPU has used its share of the tick: let the others have
/// theirs, and come back when time has moved on.
pub fn pass_tick() {
    if !context::pass_tick_from_process() {
        yield_cpu();
    }
}

/// Suspend the stepped CPU's coroutine back to the driver.
pub(crate) fn yield_cpu() {
    let yielder = CPU_YIELDER
        .with(Cell::get)
        .expect("a tick passed outside the CPUs' coroutines");
    let cpu = stepping();
    // SAFETY: the yielder lives on the stepped CPU's coroutine stack while
    // that coroutine runs, and we are running on it (the driver set it
    // before resuming this CPU).
    unsafe { yielder.as_ref() }.suspend(());
    debug_assert_eq!(stepping(), cpu, "the driver resumed another CPU");
}

/// Run `bodies` (CPU 0's first) as the machine's CPUs, a tick at a time,
/// until CPU 0's body returns, and return what it returned. A CPU whose
/// body returns earlier waits for nothing more. A panic in any CPU (the
/// machine's halt) carries on in the caller, after the other CPUs'
/// coroutines have been unwound.
pub fn run_cpus<R: 'static>(machine: &Machine, bodies: Vec<Box<dyn FnOnce() -> R>>) -> R {
    let yielders: Vec<Rc<Cell<CpuYielder>>> = bodies.iter().map(|_| Rc::default()).collect();
    let mut cpus = Cpus(
        bodies
            .into_iter()
            .zip(&yielders)
            .map(|(body, cell)| {
                let cell = cell.clone();
                let stack = DefaultStack::new(CPU_STACK).expect("the host can map a stack");
                Some(Coroutine::with_stack(
                    stack,
                    move |y: &Yielder<(), ()>, ()| {
                        cell.set(Some(NonNull::from(y)));
                        CPU_YIELDER.with(|c| c.set(Some(NonNull::from(y))));
                        body()
                    },
                ))
            })
            .collect(),
    );
    let result = 'run: loop {
        for (id, slot) in cpus.0.iter_mut().enumerate() {
            let Some(cpu) = slot else { continue };
            set_stepping(id);
            CPU_YIELDER.with(|c| c.set(yielders[id].get()));
            match cpu.resume(()) {
                CoroutineResult::Yield(()) => {}
                CoroutineResult::Return(r) => {
                    *slot = None;
                    machine.retire(id);
                    if id == 0 {
                        break 'run r;
                    }
                }
            }
        }
        machine.advance();
    };
    drop(cpus);
    result
}

/// The CPUs' coroutines. Dropping one that is suspended unwinds its stack
/// (corosensei), as the stepped CPU: whatever its unwinding touches of the
/// machine is its own.
struct Cpus<R>(Vec<Option<Coroutine<(), (), R, DefaultStack>>>);

impl<R> Drop for Cpus<R> {
    fn drop(&mut self) {
        for (id, cpu) in self.0.iter_mut().enumerate() {
            set_stepping(id);
            drop(cpu.take());
        }
        set_stepping(0);
        CPU_YIELDER.with(|c| c.set(None));
    }
}

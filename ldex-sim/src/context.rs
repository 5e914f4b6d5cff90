//! `swtch` for the simulator: a [`Context`] is a kernel thread with a baton.
//!
//! [`Context::new`] starts a host thread that waits for its baton and then
//! runs the entry on it; the thread's own stack stands in for the kernel
//! stack's call frames (the trap frame itself still lives at the top of the
//! process's real kernel stack in the process table, where the protocol put
//! it). [`Context::resume`] and [`Context::suspend`] both give the baton to the
//! other side and wait for their own (see [`SimContext::hand_over`]).
//! Dropping a context cancels its thread and joins it, so a reaped or
//! abandoned process leaves nothing behind.

use std::sync::Arc;
use std::thread::JoinHandle;

use ldex_core::Context;

use crate::baton::{Baton, Cancelled};
use crate::machine::Machine;

/// Host stack of a simulated kernel thread.
const THREAD_STACK: usize = 256 * 1024;

/// The saved kernel context of one simulated kernel thread.
#[derive(Debug)]
pub struct SimContext {
    baton: Option<Arc<Baton>>,
    thread: Option<JoinHandle<()>>,
}

// SAFETY: resume and suspend hand the CPU (the baton) to exactly the target thread
// and blocks the caller until its own baton comes back; a new context runs
// its entry on its own thread; every register of a host thread survives a
// wait on a condition variable.
unsafe impl Context for SimContext {
    const EMPTY: Self = SimContext {
        baton: None,
        thread: None,
    };

    fn new(entry: extern "C-unwind" fn(usize) -> !, arg: usize, _stack_top: *mut u8) -> Self {
        let baton = Baton::new();
        let machine = Machine::current();
        let mine = baton.clone();
        let thread = std::thread::Builder::new()
            .name("ldex-sim kernel thread".into())
            .stack_size(THREAD_STACK)
            .spawn(move || {
                Baton::adopt(mine.clone());
                Machine::adopt(machine.clone());
                let ran = std::panic::catch_unwind(|| {
                    mine.wait();
                    entry(arg)
                });
                let Err(payload) = ran;
                if !payload.is::<Cancelled>() {
                    machine.crash(payload);
                }
            })
            .expect("the host can start a thread");
        SimContext {
            baton: Some(baton),
            thread: Some(thread),
        }
    }

    unsafe fn resume(cpu: *mut Self, process: *mut Self) {
        // SAFETY: the caller promises both pointers are valid and distinct.
        unsafe { Self::hand_over(cpu, process) }
    }

    unsafe fn suspend(process: *mut Self, cpu: *mut Self) {
        // SAFETY: the caller promises both pointers are valid and distinct.
        unsafe { Self::hand_over(process, cpu) }
    }
}

impl SimContext {
    /// Give the baton to `to`'s thread and wait until `from`'s comes back.
    ///
    /// # Safety
    /// `from` and `to` are valid, distinct, and not otherwise borrowed.
    unsafe fn hand_over(from: *mut Self, to: *mut Self) {
        // SAFETY: the caller promises both pointers are valid.
        let (from, to) = unsafe { (&mut *from, &*to) };
        let mine = from.baton.get_or_insert_with(Baton::current).clone();
        to.baton
            .as_ref()
            .expect("resume or suspend to a context that was never saved or made")
            .run();
        mine.wait();
    }
}

impl Drop for SimContext {
    fn drop(&mut self) {
        if let (Some(baton), Some(thread)) = (self.baton.take(), self.thread.take()) {
            baton.cancel();
            let _ = thread.join();
        }
    }
}

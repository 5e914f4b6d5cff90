//! The baton: how the simulator hands one CPU between kernel threads.
//!
//! Every simulated kernel stack is an OS thread of the host, and exactly one
//! of them holds the baton at any time. `swtch` gives the baton to the
//! target's thread and waits until someone gives it back; the host's thread
//! scheduler never decides anything, so a run is deterministic. Plain
//! `std::thread` makes this work on every host Rust supports, with no asm.
//!
//! Besides "run", a baton can carry two other signals:
//! * `Cancel`: the context is being dropped; its thread unwinds and ends.
//! * `Halt`: the machine stopped (the cooperative bound, a deadlock, a
//!   panic on some kernel thread); only the main thread receives it, and it
//!   unwinds out of `Kernel::run` to the simulator's driver.

use std::cell::RefCell;
use std::sync::{Arc, Condvar, Mutex, PoisonError};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Signal {
    Wait,
    Run,
    Cancel,
    Halt,
}

/// The unwinding payload of a cancelled kernel thread.
pub struct Cancelled;

/// The unwinding payload that carries a machine halt to the main thread.
pub struct Halted;

/// One thread's baton.
#[derive(Debug)]
pub struct Baton {
    signal: Mutex<Signal>,
    cv: Condvar,
}

thread_local! {
    static MINE: RefCell<Option<Arc<Baton>>> = const { RefCell::new(None) };
}

impl Baton {
    /// A fresh baton for a thread that is about to start.
    pub fn new() -> Arc<Baton> {
        Arc::new(Baton {
            signal: Mutex::new(Signal::Wait),
            cv: Condvar::new(),
        })
    }

    /// The calling thread's baton, made on first use.
    pub fn current() -> Arc<Baton> {
        MINE.with(|m| m.borrow_mut().get_or_insert_with(Baton::new).clone())
    }

    /// Make `baton` the calling thread's.
    pub fn adopt(baton: Arc<Baton>) {
        MINE.with(|m| *m.borrow_mut() = Some(baton));
    }

    fn send(&self, s: Signal) {
        *self.signal.lock().unwrap_or_else(PoisonError::into_inner) = s;
        self.cv.notify_one();
    }

    /// Let this baton's thread run.
    pub fn run(&self) {
        self.send(Signal::Run);
    }

    /// End this baton's thread (it unwinds with [`Cancelled`]).
    pub fn cancel(&self) {
        self.send(Signal::Cancel);
    }

    /// Stop the machine: this baton's (main) thread unwinds with [`Halted`].
    pub fn halt(&self) {
        self.send(Signal::Halt);
    }

    /// Wait until this baton's thread may run again. Unwinds on a cancel or
    /// a halt.
    pub fn wait(&self) {
        let mut s = self.signal.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            match *s {
                Signal::Wait => s = self.cv.wait(s).unwrap_or_else(PoisonError::into_inner),
                Signal::Run => {
                    *s = Signal::Wait;
                    return;
                }
                Signal::Cancel => {
                    drop(s);
                    std::panic::resume_unwind(Box::new(Cancelled));
                }
                Signal::Halt => {
                    *s = Signal::Wait;
                    drop(s);
                    std::panic::resume_unwind(Box::new(Halted));
                }
            }
        }
    }
}

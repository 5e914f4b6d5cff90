//! Where traps go: the [`TrapSink`] the protocol implements, and the
//! [`SinkSlot`] every arch keeps it in.
//!
//! An arch's trap entry is assembly that calls one Rust function with the
//! saved frame; that function needs the sink that
//! [`TrapTable::install`](crate::TrapTable::install) was given. Every arch
//! stores it the same way and fails the same way when a trap comes first
//! (a kernel bug: an interrupt or fault during early boot), so both live
//! here once.

use core::fmt;

use crate::cause::TrapCause;
use crate::sync::Once;

/// Where the arch delivers every trap once the user registers are saved.
///
/// The protocol's [`Kernel`](crate::Kernel) implements it.
pub trait TrapSink<F>: Sync {
    /// Handle one trap. `frame` is the saved registers on the kernel stack;
    /// when this returns, the arch restores `frame` and returns from the trap.
    fn trap(&self, frame: &mut F, cause: TrapCause);
}

/// The installed sink of one arch: set once by its trap table's `install`,
/// read by its trap entry on every trap.
pub struct SinkSlot<F: 'static>(Once<&'static dyn TrapSink<F>>);

impl<F: fmt::Debug> SinkSlot<F> {
    /// An empty slot, for a `static`.
    pub const fn new() -> Self {
        SinkSlot(Once::new())
    }

    /// Remember `sink` (the first call wins; the trap table is installed
    /// once).
    pub fn install(&self, sink: &'static dyn TrapSink<F>) {
        self.0.call_once(|| sink);
    }

    /// The installed sink. A trap that arrives before
    /// [`SinkSlot::install`] is a kernel bug: panic with its frame.
    #[inline(always)]
    pub fn get(&self, frame: &F) -> &'static dyn TrapSink<F> {
        match self.0.get() {
            Some(sink) => *sink,
            None => not_installed(frame),
        }
    }
}

impl<F: fmt::Debug> Default for SinkSlot<F> {
    fn default() -> Self {
        Self::new()
    }
}

/// A trap before the trap table was installed. Out of line, so the hot path
/// only tests and calls.
#[cold]
#[inline(never)]
fn not_installed<F: fmt::Debug>(frame: &F) -> ! {
    panic!("trap before TrapTable::install\n{frame:#x?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Frame(u64);

    struct Count;
    impl TrapSink<Frame> for Count {
        fn trap(&self, frame: &mut Frame, _: TrapCause) {
            frame.0 += 1;
        }
    }

    #[test]
    fn installed_sink_gets_every_trap() {
        static SLOT: SinkSlot<Frame> = SinkSlot::new();
        SLOT.install(&Count);
        let mut f = Frame(0);
        SLOT.get(&f).trap(&mut Frame(0), TrapCause::Timer);
        SLOT.get(&Frame(1)).trap(&mut f, TrapCause::Timer);
        assert_eq!(f.0, 1);
    }

    #[test]
    #[should_panic(expected = "trap before TrapTable::install")]
    fn trap_before_install_panics_with_the_frame() {
        static SLOT: SinkSlot<Frame> = SinkSlot::new();
        let _ = SLOT.get(&Frame(7));
    }
}

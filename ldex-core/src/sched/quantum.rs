//! The time slice of the policies with one quantum for every process
//! (lottery, stride; round robin keeps one per process, for SMP): counted in ticks from the moment a
//! process is picked, and used up after `length` ticks. A length of 0
//! counts as 1.

use super::Decision;

/// A quantum's length and the ticks of it used by the running process.
#[derive(Clone, Copy, Debug)]
pub(super) struct Quantum {
    length: u64,
    used: u64,
}

impl Quantum {
    /// A quantum of `length` ticks (0 counts as 1), none used.
    pub(super) const fn new(length: u64) -> Self {
        Quantum {
            length: if length == 0 { 1 } else { length },
            used: 0,
        }
    }

    /// A process was picked: a fresh quantum starts.
    pub(super) fn start(&mut self) {
        self.used = 0;
    }

    /// Charge one tick to the running process: `Preempt` once the quantum
    /// is used up.
    pub(super) fn charge(&mut self) -> Decision {
        self.used += 1;
        if self.used_up() {
            Decision::Preempt
        } else {
            Decision::Continue
        }
    }

    /// Whether the running process has used its whole quantum.
    pub(super) fn used_up(&self) -> bool {
        self.used >= self.length
    }
}

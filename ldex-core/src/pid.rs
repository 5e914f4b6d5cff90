//! Process identifiers.

use core::fmt;
use core::num::NonZeroU32;

/// A process id. Pids count from 1; [`Pid::index`] is the dense slot index
/// (`pid - 1`) that process tables and scheduling policies use for O(1)
/// lookups.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pid(NonZeroU32);

impl Pid {
    /// The pid of slot `index` (pid = index + 1).
    ///
    /// # Panics
    /// If `index + 1` does not fit in a `u32`.
    pub const fn from_index(index: usize) -> Pid {
        assert!(index < u32::MAX as usize, "pid index out of range");
        match NonZeroU32::new(index as u32 + 1) {
            Some(n) => Pid(n),
            None => unreachable!(),
        }
    }

    /// The pid with this number, if it is not zero.
    pub const fn new(n: u32) -> Option<Pid> {
        match NonZeroU32::new(n) {
            Some(n) => Some(Pid(n)),
            None => None,
        }
    }

    /// The dense index of this pid: `pid - 1`.
    pub const fn index(self) -> usize {
        self.0.get() as usize - 1
    }

    /// The pid as a number, as user programs see it (`getpid`).
    pub const fn get(self) -> u32 {
        self.0.get()
    }
}

impl fmt::Debug for Pid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pid({})", self.0)
    }
}

impl fmt::Display for Pid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

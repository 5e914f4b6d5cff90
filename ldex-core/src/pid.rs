//! Process identifiers.
//!
//! A pid names one process, not one slot of the process table: when a slot
//! is reused its next process gets a new number, so a stale pid (kept by an
//! OS, or typed by a user after the process ended) names nothing instead of
//! the slot's new process. Numbers go up by the table's capacity `N` at
//! each reuse of a slot: the first process of slot `i` is `i + 1` (what
//! pids have always been), the next `i + 1 + N`, then `i + 1 + 2N`, until
//! the number would not fit in a `u32` and the slot's numbers start again
//! at `i + 1`.
//!
//! Each pid carries its slot index beside its number, so [`Pid::index`]
//! stays a field read for the policies' O(1) tables.

use core::fmt;
use core::num::NonZeroU32;

/// A process id. Pids count from 1; [`Pid::index`] is the dense slot index
/// that process tables and scheduling policies use for O(1) lookups.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pid {
    number: NonZeroU32,
    index: u32,
}

impl Pid {
    /// The pid of the first process of slot `index` (pid = index + 1).
    ///
    /// # Panics
    /// If `index + 1` does not fit in a `u32`.
    #[inline]
    pub const fn from_index(index: usize) -> Pid {
        Pid::of_use(index, 0, index + 1)
    }

    /// The pid of the `generation`th reuse of slot `index` in a table of
    /// `capacity` slots: `index + 1 + generation * capacity`, the
    /// generations counted round so the number fits in a `u32`.
    ///
    /// # Panics
    /// If `index + 1` does not fit in a `u32`, or `index >= capacity`.
    #[inline]
    pub const fn of_use(index: usize, generation: u32, capacity: usize) -> Pid {
        assert!(index < u32::MAX as usize, "pid index out of range");
        assert!(index < capacity, "pid index beyond the table");
        let first = index as u64 + 1;
        let uses = (u32::MAX as u64 - first) / capacity as u64 + 1;
        let number = first + (generation as u64 % uses) * capacity as u64;
        match NonZeroU32::new(number as u32) {
            Some(number) => Pid {
                number,
                index: index as u32,
            },
            None => unreachable!(),
        }
    }

    /// The pid with this number as the first process of its slot (slot
    /// `n - 1`), if `n` is not zero. To find the live process with a
    /// number, whichever use of its slot it is, ask the kernel
    /// ([`Kernel::pid`](crate::Kernel::pid)).
    pub const fn new(n: u32) -> Option<Pid> {
        match NonZeroU32::new(n) {
            Some(number) => Some(Pid {
                number,
                index: n - 1,
            }),
            None => None,
        }
    }

    /// The pid of the next use of this pid's slot in a table of `capacity`
    /// slots: [`Pid::of_use`] of the next generation, without its division
    /// (the number goes up by `capacity`, or starts again at `index + 1`
    /// where it would not fit).
    pub const fn next_use(self, capacity: usize) -> Pid {
        let next = self.number.get() as u64 + capacity as u64;
        if next <= u32::MAX as u64 {
            self.with_number(next as u32)
        } else {
            Pid::from_index(self.index())
        }
    }

    /// This pid's slot with another (nonzero) number.
    const fn with_number(self, number: u32) -> Pid {
        match NonZeroU32::new(number) {
            Some(number) => Pid {
                number,
                index: self.index,
            },
            None => unreachable!(),
        }
    }

    /// The pid whose number and slot index are these, if `number` is not
    /// zero: how a per-CPU block keeps a pid in two atomic words.
    #[cfg(not(loom))]
    pub(crate) const fn from_parts(number: u32, index: u32) -> Option<Pid> {
        match NonZeroU32::new(number) {
            Some(number) => Some(Pid { number, index }),
            None => None,
        }
    }

    /// The dense index of this pid's slot in the process table.
    pub const fn index(self) -> usize {
        self.index as usize
    }

    /// The pid as a number, as user programs see it (`getpid`).
    pub const fn get(self) -> u32 {
        self.number.get()
    }
}

impl fmt::Debug for Pid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pid({})", self.number)
    }
}

impl fmt::Display for Pid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.number, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_use_pids_are_index_plus_one() {
        assert_eq!(Pid::from_index(0).get(), 1);
        assert_eq!(Pid::from_index(41).get(), 42);
        assert_eq!(Pid::new(42), Some(Pid::from_index(41)));
        assert_eq!(Pid::new(0), None);
    }

    #[test]
    fn a_reused_slot_gets_a_new_number_with_the_same_index() {
        let again = Pid::of_use(3, 2, 64);
        assert_eq!(again.get(), 4 + 2 * 64);
        assert_eq!(again.index(), 3);
        assert_ne!(again, Pid::from_index(3));
    }

    #[test]
    fn numbers_that_would_overflow_start_the_slot_again() {
        let uses = (u64::from(u32::MAX) - 6) / 1000 + 1;
        let last = Pid::of_use(5, (uses - 1) as u32, 1000);
        assert_eq!(u64::from(last.get()), 6 + (uses - 1) * 1000);
        assert_eq!(Pid::of_use(5, uses as u32, 1000), Pid::from_index(5));
    }

    #[test]
    fn next_use_is_of_use_of_the_next_generation_across_the_wrap() {
        let uses = ((u64::from(u32::MAX) - 6) / 1000 + 1) as u32;
        for generation in [0, 1, 2, uses - 2, uses - 1, uses] {
            assert_eq!(
                Pid::of_use(5, generation, 1000).next_use(1000),
                Pid::of_use(5, generation + 1, 1000),
                "generation {generation}"
            );
        }
    }
}

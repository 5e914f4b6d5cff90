//! The one interrupt abstraction: [`Interrupts`].
//!
//! Every arch implements it (its [`Arch`](crate::Arch) requires it), the
//! [`SpinLock`](super::SpinLock) takes its interrupt control from it, and the
//! protocol's debug checks read it. It is xv6's `push_off`/`pop_off` pair
//! with `noff` as [`Interrupts::locks_held`]:
//!
//! * [`Interrupts::save_and_disable`] turns interrupts off and hands back an
//!   [`InterruptState`] that must be given to [`Interrupts::restore`] (it is
//!   `#[must_use]`), so nesting restores the outermost state.
//! * Every spin lock guard counts itself in [`Interrupts::locks_held`] while
//!   it lives (in debug builds, where the count is checked), so the kernel
//!   can assert that no lock is held where it switches stacks or returns
//!   from a trap.

use core::sync::atomic::{AtomicUsize, Ordering};

/// The interrupt flag the CPU had before [`Interrupts::save_and_disable`].
/// Give it back to [`Interrupts::restore`]; dropping it leaves interrupts
/// off for good.
#[must_use = "interrupts stay disabled unless this is passed to `Interrupts::restore`"]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InterruptState {
    was_enabled: bool,
}

impl InterruptState {
    /// Were interrupts enabled when this was saved?
    pub fn was_enabled(self) -> bool {
        self.was_enabled
    }
}

/// The spin-lock count of a machine with one CPU, for the default
/// [`Interrupts::locks_held`]. Only touched with interrupts off, by the one
/// CPU, so a load and a store are enough.
static ONE_CPU_LOCKS_HELD: AtomicUsize = AtomicUsize::new(0);

/// This CPU's interrupt flag, and the number of spin locks it holds.
///
/// An arch writes the three primitives. The lock count defaults to one
/// counter for a machine with one CPU (both real backends today); a backend
/// that runs several machines in one address space (the simulator, many on
/// host threads) keeps one count per machine instead.
pub trait Interrupts {
    /// Are interrupts enabled on this CPU?
    fn are_enabled() -> bool;
    /// Enable interrupts on this CPU.
    fn enable();
    /// Disable interrupts on this CPU.
    fn disable();

    /// Disable interrupts and say what they were.
    #[inline(always)]
    fn save_and_disable() -> InterruptState {
        let was_enabled = Self::are_enabled();
        Self::disable();
        InterruptState { was_enabled }
    }

    /// Put back the state [`Interrupts::save_and_disable`] found.
    #[inline(always)]
    fn restore(state: InterruptState) {
        if state.was_enabled {
            Self::enable();
        }
    }

    /// Let pending interrupts in, then disable interrupts again. The
    /// scheduler loop opens this window before every pick, so a device that
    /// finished meanwhile has its process woken first. (x86 must override
    /// it: `sti; cli` has no window, `sti; nop; cli` does.)
    fn interrupt_window() {
        Self::enable();
        Self::disable();
    }

    /// How many spin locks this CPU holds (xv6's `noff`). Counted in debug
    /// builds only; 0 in release builds.
    fn locks_held() -> usize {
        ONE_CPU_LOCKS_HELD.load(Ordering::Relaxed)
    }

    /// Set this CPU's spin-lock count. Called by the lock, with interrupts
    /// off.
    fn set_locks_held(count: usize) {
        ONE_CPU_LOCKS_HELD.store(count, Ordering::Relaxed);
    }
}

/// For state no interrupt handler touches, and for host tests: nothing to
/// disable and nothing counted (host threads share no CPU).
#[derive(Debug)]
pub struct NoInterrupts;

impl Interrupts for NoInterrupts {
    fn are_enabled() -> bool {
        false
    }
    fn enable() {}
    fn disable() {}
    fn locks_held() -> usize {
        0
    }
    fn set_locks_held(_: usize) {}
}

/// Count one more spin lock held on this CPU (debug builds).
#[inline(always)]
pub(crate) fn lock_taken<I: Interrupts>() {
    if cfg!(debug_assertions) {
        I::set_locks_held(I::locks_held() + 1);
    }
}

/// Count one spin lock fewer on this CPU (debug builds).
#[inline(always)]
pub(crate) fn lock_released<I: Interrupts>() {
    if cfg!(debug_assertions) {
        // Saturating: an implementation that counts nothing
        // ([`NoInterrupts`]) always reports 0.
        I::set_locks_held(I::locks_held().saturating_sub(1));
    }
}

//! The interrupt-safe spin lock.
//!
//! Invariants:
//! * While a guard lives, interrupts are disabled on the CPU that holds it
//!   (if the [`Interrupts`] type controls any), and `locked` is true, and
//!   (in debug builds) the guard counts in [`Interrupts::locks_held`].
//! * The guard restores the interrupt state it found, after unlocking: a
//!   nested lock taken with interrupts already off leaves them off.
//! * Never hold a guard across `Context::resume` or `Context::suspend`: the protocol releases every
//!   lock before it switches kernel stacks.

use core::marker::PhantomData;
use core::mem::ManuallyDrop;
use core::ops::{Deref, DerefMut};

use super::interrupts::{InterruptState, Interrupts, NoInterrupts, lock_released, lock_taken};
use super::shim::{AtomicBool, MutPtr, Ordering, UnsafeCell, spin_loop};

/// A spin lock that disables interrupts while held.
///
/// # Example
///
/// A counter shared with an interrupt handler. [`NoInterrupts`] stands in
/// for an arch's interrupt control here; a kernel's locks use its arch
/// (`SpinLock<T, A>`: every `Arch` is an [`Interrupts`]), so taking the
/// lock turns interrupts off first.
///
/// ```
/// use ldex_core::sync::{NoInterrupts, SpinLock};
///
/// static TICKS: SpinLock<u64, NoInterrupts> = SpinLock::new(0);
///
/// fn on_timer_interrupt() {
///     *TICKS.lock() += 1; // the guard unlocks, then restores interrupts
/// }
///
/// on_timer_interrupt();
/// on_timer_interrupt();
/// let ticks = TICKS.lock();
/// assert_eq!(*ticks, 2);
/// assert!(TICKS.try_lock().is_none()); // held: a second taker would spin
/// ```
pub struct SpinLock<T, I: Interrupts = NoInterrupts> {
    locked: AtomicBool,
    data: UnsafeCell<T>,
    _irq: PhantomData<fn() -> I>,
}

// SAFETY: the lock hands out access to `data` to one holder at a time.
unsafe impl<T: Send, I: Interrupts> Sync for SpinLock<T, I> {}
// SAFETY: moving the lock moves the data.
unsafe impl<T: Send, I: Interrupts> Send for SpinLock<T, I> {}

impl<T, I: Interrupts> SpinLock<T, I> {
    /// A new, unlocked lock.
    #[cfg(not(loom))]
    pub const fn new(value: T) -> Self {
        SpinLock {
            locked: AtomicBool::new(false),
            data: UnsafeCell::new(value),
            _irq: PhantomData,
        }
    }

    /// A new, unlocked lock.
    #[cfg(loom)]
    pub fn new(value: T) -> Self {
        SpinLock {
            locked: AtomicBool::new(false),
            data: UnsafeCell::new(value),
            _irq: PhantomData,
        }
    }

    /// Disable interrupts, then spin until the lock is ours. The free
    /// lock's path (one compare-exchange) is inline at every caller; the
    /// spinning is out of line.
    #[inline(always)]
    pub fn lock(&self) -> SpinLockGuard<'_, T, I> {
        let irq = I::save_and_disable();
        if self
            .locked
            .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            self.spin_until_ours();
        }
        lock_taken::<I>();
        SpinLockGuard {
            lock: self,
            data: ManuallyDrop::new(self.data.get_mut()),
            irq,
        }
    }

    /// The contended way of [`SpinLock::lock`]: wait for the holder to
    /// let go (reading only), then try again.
    #[cold]
    #[inline(never)]
    fn spin_until_ours(&self) {
        loop {
            while self.locked.load(Ordering::Relaxed) {
                spin_loop();
            }
            if self
                .locked
                .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
            {
                return;
            }
        }
    }

    /// Take the lock if it is free, without spinning.
    #[must_use = "dropping the guard releases the lock at once"]
    pub fn try_lock(&self) -> Option<SpinLockGuard<'_, T, I>> {
        let irq = I::save_and_disable();
        if self
            .locked
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
        {
            lock_taken::<I>();
            Some(SpinLockGuard {
                lock: self,
                data: ManuallyDrop::new(self.data.get_mut()),
                irq,
            })
        } else {
            I::restore(irq);
            None
        }
    }

    /// Is it held right now (a hint: it may change at once)?
    pub fn is_locked(&self) -> bool {
        self.locked.load(Ordering::Relaxed)
    }
}

/// Access to the data of a held [`SpinLock`]. Dropping it releases the
/// lock.
#[must_use = "dropping the guard releases the lock at once"]
pub struct SpinLockGuard<'a, T, I: Interrupts> {
    lock: &'a SpinLock<T, I>,
    /// Dropped before the lock is released, so that loom sees the access
    /// end before the next holder's begins.
    data: ManuallyDrop<MutPtr<T>>,
    irq: InterruptState,
}

impl<T, I: Interrupts> Deref for SpinLockGuard<'_, T, I> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the lock is held, so this guard is the only access.
        unsafe { MutPtr::deref(&self.data) }
    }
}

impl<T, I: Interrupts> DerefMut for SpinLockGuard<'_, T, I> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the lock is held, so this guard is the only access.
        unsafe { MutPtr::deref(&self.data) }
    }
}

impl<T, I: Interrupts> Drop for SpinLockGuard<'_, T, I> {
    #[inline(always)]
    fn drop(&mut self) {
        // SAFETY: dropped once, here, and never used again.
        unsafe { ManuallyDrop::drop(&mut self.data) };
        self.lock.locked.store(false, Ordering::Release);
        lock_released::<I>();
        I::restore(self.irq);
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use core::sync::atomic::{AtomicU32, AtomicUsize};

    static DISABLED: AtomicU32 = AtomicU32::new(0);
    static ENABLED: AtomicBool = AtomicBool::new(true);
    static HELD: AtomicUsize = AtomicUsize::new(0);

    struct FakeIrq;
    impl Interrupts for FakeIrq {
        fn are_enabled() -> bool {
            ENABLED.load(Ordering::SeqCst)
        }
        fn enable() {
            ENABLED.store(true, Ordering::SeqCst);
        }
        fn disable() {
            DISABLED.fetch_add(1, Ordering::SeqCst);
            ENABLED.store(false, Ordering::SeqCst);
        }
        fn locks_held() -> usize {
            HELD.load(Ordering::SeqCst)
        }
        fn set_locks_held(count: usize) {
            HELD.store(count, Ordering::SeqCst);
        }
    }

    #[test]
    fn guard_disables_interrupts_and_restores_them_in_nesting_order() {
        let a: SpinLock<u32, FakeIrq> = SpinLock::new(1);
        let b: SpinLock<u32, FakeIrq> = SpinLock::new(2);
        {
            let mut ga = a.lock();
            assert!(!ENABLED.load(Ordering::SeqCst));
            {
                let gb = b.lock();
                assert_eq!(
                    FakeIrq::locks_held(),
                    usize::from(cfg!(debug_assertions)) * 2
                );
                *ga += *gb;
            }
            assert!(
                !ENABLED.load(Ordering::SeqCst),
                "inner guard must not re-enable"
            );
            assert!(a.try_lock().is_none());
        }
        assert!(ENABLED.load(Ordering::SeqCst));
        assert_eq!(FakeIrq::locks_held(), 0);
        assert_eq!(*a.lock(), 3);
    }
}

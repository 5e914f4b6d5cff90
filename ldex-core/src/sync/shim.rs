//! The loom shim: the same names, from `loom` under `cfg(loom)` and from
//! `core` otherwise.

#[cfg(loom)]
pub use loom::cell::{MutPtr, UnsafeCell};
#[cfg(loom)]
pub use loom::hint::spin_loop;
#[cfg(loom)]
pub use loom::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};

#[cfg(not(loom))]
pub use core::hint::spin_loop;
#[cfg(not(loom))]
pub use core::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};

/// `core::cell::UnsafeCell` with loom's access API.
#[cfg(not(loom))]
#[derive(Debug)]
pub struct UnsafeCell<T>(core::cell::UnsafeCell<T>);

#[cfg(not(loom))]
impl<T> UnsafeCell<T> {
    /// A new cell.
    pub const fn new(value: T) -> Self {
        UnsafeCell(core::cell::UnsafeCell::new(value))
    }

    /// A tracked mutable pointer to the contents (untracked without loom).
    pub fn get_mut(&self) -> MutPtr<T> {
        MutPtr(self.0.get())
    }
}

/// A mutable pointer into an [`UnsafeCell`].
#[cfg(not(loom))]
#[derive(Debug)]
pub struct MutPtr<T: ?Sized>(*mut T);

#[cfg(not(loom))]
impl<T: ?Sized> MutPtr<T> {
    /// Dereference it.
    ///
    /// # Safety
    /// No other reference to the contents is live.
    #[allow(clippy::mut_from_ref)]
    pub unsafe fn deref(&self) -> &mut T {
        // SAFETY: forwarded to the caller.
        unsafe { &mut *self.0 }
    }
}

//! Starting the initrd's programs as slots free up.
//!
//! The driver starts what fits, then waits in `Kernel::run`. Each time a
//! process has been reaped and its memory freed, the OS calls its
//! after-reap hook ([`ExampleOs::set_after_reap`](crate::os::ExampleOs::set_after_reap)),
//! a plain `fn()`: [`start_more`], which finds the driver's [`Loader`]
//! through [`LOADER`] and starts the next programs in the slot and frames
//! just given back. `Kernel::spawn` is the only way in, as at boot.

use core::ptr::null_mut;
use core::sync::atomic::{AtomicPtr, Ordering};

use crate::console::Console;
use crate::initrd::{ProcessBuilder, Queue, Setup};

/// What starts the initrd's programs: the queue, the setup, the builder.
pub(super) struct Loader<'a, B> {
    /// The programs not started yet.
    pub queue: Queue<'a>,
    /// Where programs may load.
    pub setup: &'a Setup<'a>,
    /// The kernel's half of loading.
    pub builder: &'a mut B,
    /// Where refusals are reported.
    pub console: &'a dyn Console,
}

impl<B: ProcessBuilder> Loader<'_, B> {
    /// Start the next programs, as far as the free slots and frames go.
    pub fn start(&mut self) {
        self.queue.start(self.setup, self.builder, self.console);
    }
}

/// The running driver's [`Loader`], its type erased; null before
/// [`install`].
static LOADER: AtomicPtr<()> = AtomicPtr::new(null_mut());

/// Make `loader` the one [`start_more`] reaches.
///
/// # Safety
/// `loader` stays valid, and nothing but [`start_more::<B>`] touches it,
/// for the rest of the kernel's life: it lives in the frame of the driver's
/// `run`, which never returns and no longer uses it.
pub(super) unsafe fn install<B>(loader: *mut Loader<'_, B>) {
    LOADER.store(loader.cast(), Ordering::Release);
}

/// The after-reap hook: start the next programs of the initrd.
pub(super) fn start_more<B: ProcessBuilder>() {
    let loader = LOADER.load(Ordering::Acquire).cast::<Loader<'_, B>>();
    // SAFETY: `install`'s contract: the loader is valid and ours alone;
    // the hook runs on the scheduler's stack, once per reaped process, never
    // inside itself (starting a process reaps none).
    if let Some(loader) = unsafe { loader.as_mut() } {
        loader.queue.reaped();
        loader.start();
    }
}

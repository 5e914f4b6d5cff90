//! The boot token: proof that the holder is boot code running in kernel mode.
//!
//! Installing the trap table and starting the timer are privileged: on real
//! hardware user mode cannot do them at all, and inside the kernel only boot
//! code should. Every such operation takes a `&BootToken`. The only way to get
//! one is the `unsafe` [`BootToken::new`], whose contract is "I am boot code,
//! in kernel mode, and I do this once".

/// Proof of being boot code. Neither `Copy` nor `Clone`: boot code holds the
/// one it made and lends it out by reference.
#[derive(Debug)]
pub struct BootToken {
    _private: (),
}

impl BootToken {
    /// Make the boot token.
    ///
    /// # Safety
    /// The caller runs in kernel (supervisor) mode during boot, before any
    /// process exists, and makes at most one token per boot of a CPU.
    pub unsafe fn new() -> Self {
        BootToken { _private: () }
    }
}

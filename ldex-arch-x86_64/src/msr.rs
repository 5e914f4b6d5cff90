//! Writing the model-specific registers this crate uses.
//!
//! The `x86_64` crate offers some MSR writes as safe functions (the FS and
//! GS bases, STAR, LSTAR, SFMASK). Here every MSR write goes through the
//! one `unsafe` [`write`], so each call site states in its own `// SAFETY:`
//! why the new value keeps the kernel sound.

use x86_64::registers::model_specific::Msr;

/// `IA32_FS_BASE`: the user's thread pointer.
pub(crate) const FS_BASE: u32 = 0xc000_0100;
/// `IA32_GS_BASE`: ring 0's view of GS (the per-CPU area).
pub(crate) const GS_BASE: u32 = 0xc000_0101;
/// `IA32_KERNEL_GS_BASE`: the GS base `swapgs` swaps in.
pub(crate) const KERNEL_GS_BASE: u32 = 0xc000_0102;
/// `IA32_STAR`: the `syscall`/`sysret` segment selectors.
pub(crate) const STAR: u32 = 0xc000_0081;
/// `IA32_LSTAR`: the `syscall` entry point.
pub(crate) const LSTAR: u32 = 0xc000_0082;
/// `IA32_FMASK`: the RFLAGS bits `syscall` clears.
pub(crate) const SFMASK: u32 = 0xc000_0084;

/// `wrmsr`.
///
/// # Safety
/// Ring 0. `value` is valid for `msr` (a canonical address where the MSR
/// holds one, or `wrmsr` faults), and the kernel stays sound with it: the
/// caller says why.
pub(crate) unsafe fn write(msr: u32, value: u64) {
    // SAFETY: forwarded to the caller.
    unsafe { Msr::new(msr).write(value) }
}

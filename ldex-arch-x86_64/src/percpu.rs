//! The per-CPU area the `syscall` entry finds through GS.
//!
//! `syscall` leaves rsp as the user set it, so the entry must find the
//! kernel stack without a stack and without trusting a register: after
//! `swapgs`, GS points here and `gs:[KSTACK_TOP]` is the current process's
//! kernel stack top, the same value as TSS.rsp0.
//!
//! # The swapgs rule
//! In ring 0, GS.base is this area and `IA32_KERNEL_GS_BASE` holds the user's
//! GS base; in ring 3 the other way round. Every entry from ring 3 executes
//! `swapgs` exactly once before touching GS and every exit to ring 3 exactly
//! once after its last GS access; entries from ring 0 (the saved CS says so)
//! never do. Only the `syscall` entry reads GS at all, so an NMI or machine
//! check that lands between `syscall` and its `swapgs` (CS is already ring
//! 0) is harmless.

use core::cell::UnsafeCell;
use core::mem::offset_of;

use static_assertions::const_assert_eq;

use crate::msr;

/// The per-CPU area (one CPU).
#[repr(C)]
pub(crate) struct PerCpu {
    /// The current process's kernel stack top (TSS.rsp0).
    pub kstack_top: u64,
    /// Where the `syscall` entry parks the user rsp while it switches stacks.
    pub user_rsp: u64,
}

const_assert_eq!(offset_of!(PerCpu, kstack_top), 0);
const_assert_eq!(offset_of!(PerCpu, user_rsp), 8);

struct Cell(UnsafeCell<PerCpu>);
// SAFETY: one CPU; written with interrupts off by `set_kernel_stack` and by
// the syscall entry, which runs with interrupts off.
unsafe impl Sync for Cell {}

static PERCPU: Cell = Cell(UnsafeCell::new(PerCpu {
    kstack_top: 0,
    user_rsp: 0,
}));

/// Make GS.base point at the per-CPU area (ring 0's view) and give ring 3
/// a zero GS base.
///
/// # Safety
/// Boot code, ring 0, once.
pub(crate) unsafe fn install() {
    // SAFETY: ring 0 (the caller's promise); the area is a `static`, so its
    // address is canonical and lives for ever, and only the `syscall` entry
    // reads GS, after `swapgs`.
    unsafe {
        msr::write(msr::GS_BASE, PERCPU.0.get() as u64);
        msr::write(msr::KERNEL_GS_BASE, 0);
    }
}

/// The next `syscall` from ring 3 switches to `top`.
///
/// # Safety
/// As [`crate::gdt::set_kernel_stack`].
pub(crate) unsafe fn set_kernel_stack(top: *mut u8) {
    // SAFETY: interrupts are off and the syscall entry is not running.
    unsafe { (*PERCPU.0.get()).kstack_top = top as u64 };
}

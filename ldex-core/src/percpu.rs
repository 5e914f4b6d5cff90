//! Per-CPU state: what one CPU needs on every trap, kept out of the shared
//! process table so that a system call that makes no scheduling decision
//! takes no shared lock.
//!
//! # What a CPU owns
//! `Cpu` holds the CPU's scheduler [`Context`](crate::Context), the pid it
//! runs now, its **pending-work word** and its tick state (its timer, the
//! ticks its clock counted, the system calls of the current run).
//!
//! * The scheduler context, the tick state and `current` are written only by
//!   the CPU itself, with interrupts disabled. Other CPUs never read the
//!   first two; `current` is atomic so that the owner's interrupt handlers
//!   and queries see a whole value.
//! * The pending-work word is the one field other CPUs write: a kill or a
//!   wake-up that wants this CPU's process off the CPU sets a bit in it
//!   (under the table lock, which also orders it with the pick that cleared
//!   it). The CPU reads the word once on every return to user mode, as
//!   Linux reads its thread flags; only when a bit is set does it take the
//!   slow path, which clears the word with one swap.
//!
//! # How the trap path finds it: [`Arch::cpu_id`]
//! The kernel keeps one `Cpu` per possible CPU in an array, and the trap
//! path indexes it with the arch's CPU id: O(1), one read plus one indexed
//! address. The arch reads the id from a register that the trap entry
//! already makes valid:
//!
//! * **x86_64: the GS base.** The `syscall` entry must `swapgs` anyway to
//!   find its kernel stack in the arch's per-CPU area, so the id lives in
//!   that area and costs one `mov` from `gs:`.
//! * **RISC-V: `tp`.** The kernel has no thread-locals, so `tp` is free in
//!   S-mode; reading it costs no memory access at all, where a block reached
//!   from `sscratch` would cost a CSR read and a load (and `sscratch` is 0
//!   while the kernel runs, by the entry's protocol). The user's `tp` is
//!   saved in the frame like every other register; the entry reloads the
//!   hart's own value from the frame (as xv6's `kernel_hartid`), which
//!   `enter_process` writes.
//! * **AArch64: `TPIDR_EL1`.** The EL1 thread-id register, out of EL0's
//!   reach and untouched by exceptions, so the entry does nothing for it
//!   and reading it is one `mrs` with no memory access (the user's thread
//!   pointer is `TPIDR_EL0`, switched with the process).
//!
//! With one CPU an arch may keep the default id, 0, which costs nothing.

use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicU32, Ordering};

use crate::arch::Arch;
use crate::pid::Pid;
use crate::sync::PendingWork;
use crate::timer::PeriodicTimer;

pub use crate::MAX_CPUS;

/// What only this CPU reads or writes, with interrupts disabled.
pub(crate) struct Local<A: Arch> {
    /// The CPU's own timer, started by boot code.
    pub timer: Option<PeriodicTimer<A::Timer>>,
    /// Ticks this CPU's clock counted since boot.
    pub ticks: u64,
    /// System calls the current process made in its current run, added to
    /// its table entry by the process itself, in the table-lock hold that
    /// takes it off the CPU.
    pub syscalls: u64,
    /// The process that just switched away is a zombie: set by it (its
    /// exit), taken by the scheduler, which then reaps it. The one thing the
    /// scheduler must learn after a switch, so it needs no table lock to
    /// learn it.
    pub reap: bool,
}

/// The state of one CPU (see the module docs for who touches what).
pub(crate) struct Cpu<A: Arch> {
    scheduler: UnsafeCell<A::Context>,
    /// `current`'s number (0: none) and slot index: set together under the
    /// table lock (the pick), where other CPUs read them too; cleared (the
    /// number made 0) by the CPU alone once the process switched away.
    current: AtomicU32,
    current_index: AtomicU32,
    pending: PendingWork,
    local: UnsafeCell<Local<A>>,
}

impl<A: Arch> Cpu<A> {
    #[allow(
        clippy::declare_interior_mutable_const,
        reason = "only the seed of `[const { .. }; MAX_CPUS]`"
    )]
    pub const IDLE: Self = Cpu {
        scheduler: UnsafeCell::new(<A::Context as crate::Context>::EMPTY),
        current: AtomicU32::new(0),
        current_index: AtomicU32::new(0),
        pending: PendingWork::new(),
        local: UnsafeCell::new(Local {
            timer: None,
            ticks: 0,
            syscalls: 0,
            reap: false,
        }),
    };

    /// The scheduler context that this CPU's processes suspend to.
    pub fn scheduler(&self) -> *mut A::Context {
        self.scheduler.get()
    }

    /// The process this CPU runs, if any.
    #[inline(always)]
    pub fn current(&self) -> Option<Pid> {
        Pid::from_parts(
            self.current.load(Ordering::Relaxed),
            self.current_index.load(Ordering::Relaxed),
        )
    }

    /// This CPU now runs `pid` (or nothing), with no work pending but
    /// `pending`. Called by the CPU itself: under the table lock for a
    /// `pid`; for nothing, right after the switch back (the process is no
    /// longer `Running`, so no kill posts to this word for it, and the next
    /// pick sets the word anew).
    pub fn set_current(&self, pid: Option<Pid>, pending: u32) {
        self.current
            .store(pid.map_or(0, Pid::get), Ordering::Relaxed);
        self.current_index
            .store(pid.map_or(0, |p| p.index() as u32), Ordering::Relaxed);
        self.pending.set(pending);
    }

    /// The pending-work word (see [`PendingWork`]).
    #[inline(always)]
    pub fn pending(&self) -> &PendingWork {
        &self.pending
    }

    /// The CPU's own state.
    ///
    /// # Safety
    /// The caller runs on this CPU with interrupts disabled, and holds no
    /// other reference from `local`.
    #[allow(clippy::mut_from_ref, reason = "the caller's contract")]
    #[inline(always)]
    pub unsafe fn local(&self) -> &mut Local<A> {
        // SAFETY: only this CPU touches `local`, with interrupts off, one
        // reference at a time (the caller's promise).
        unsafe { &mut *self.local.get() }
    }
}

//! The kernel's own address space, which a hart goes back to whenever a
//! process leaves it.
//!
//! Once a process has left a hart ([`leave_process`], just before the
//! kernel lets other harts take it), it may run on another hart, exit
//! there and have its page tables freed (`Os::free_address_space` on the
//! reaping hart) and reused. A hart still on those tables, in its
//! scheduler or idle in `wfi`, would walk freed memory at its next TLB
//! miss, its trap entry included. So `leave_process` loads the `satp` that
//! [`TrapTable::install`](crate::trap_table::TrapTable) ran under on this
//! hart: boot code's own, which maps the kernel and is never freed (the
//! trap table's contract). The cost is one `satp` write and `sfence.vma`
//! per switch back: a process's space is loaded only while it runs.
//!
//! [`leave_process`]: ldex_core::Arch::leave_process

use core::sync::atomic::{AtomicUsize, Ordering};

use ldex_core::MAX_CPUS;

use crate::csr;

/// Each hart's kernel `satp`, by CPU index (0: not installed yet, or
/// translation off, where there is nothing to leave).
static KERNEL_SATP: [AtomicUsize; MAX_CPUS] = [const { AtomicUsize::new(0) }; MAX_CPUS];

/// Remember the address space CPU `cpu` runs in now as its kernel's.
/// Called by the trap table's install.
pub(crate) fn remember(cpu: usize) {
    KERNEL_SATP[cpu].store(csr::read!("satp"), Ordering::Relaxed);
}

/// Load this hart's kernel address space if a process's is loaded. Called
/// with interrupts off, as a process leaves the hart.
pub(crate) fn enter(cpu: usize) {
    let kernel = KERNEL_SATP[cpu].load(Ordering::Relaxed);
    if kernel != 0 && csr::read!("satp") != kernel {
        // SAFETY: the satp boot code ran under when it installed the trap
        // table on this hart: it maps the kernel as every process space
        // does (so the code running now stays mapped), and it is never
        // freed. The fence makes the hart forget the process's half.
        unsafe {
            csr::write!("satp", kernel);
            core::arch::asm!("sfence.vma", options(nostack));
        }
    }
}

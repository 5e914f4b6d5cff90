//! The kernel's own address space, which a CPU goes back to whenever a
//! process leaves it.
//!
//! Once a process has left a CPU ([`leave_process`], just before the
//! kernel lets other CPUs take it), it may run on another CPU, exit there
//! and have its page tables freed (`Os::free_address_space` on the reaping
//! CPU) and reused. A CPU still on those tables (the kernel lives in
//! `TTBR0_EL1`'s space beside the process, as on the other arches), in its
//! scheduler or idle in `wfi`, would walk freed memory at its next TLB
//! miss, its vector table included. So `leave_process` loads the
//! `TTBR0_EL1` that [`TrapTable::install`](crate::trap_table::TrapTable)
//! ran under on this CPU: boot code's own, which maps the kernel and is
//! never freed (the trap table's contract). The cost is one `TTBR0_EL1`
//! write and TLB invalidation per switch back: a process's space is loaded
//! only while it runs.
//!
//! [`leave_process`]: ldex_core::Arch::leave_process

use core::sync::atomic::{AtomicU64, Ordering};

use ldex_core::MAX_CPUS;

use crate::sysreg;

/// Each CPU's kernel `TTBR0_EL1` (0: not installed yet).
static KERNEL_TTBR0: [AtomicU64; MAX_CPUS] = [const { AtomicU64::new(0) }; MAX_CPUS];

/// Remember the address space CPU `cpu` runs in now as its kernel's.
/// Called by the trap table's install, with the MMU on.
pub(crate) fn remember(cpu: usize) {
    KERNEL_TTBR0[cpu].store(sysreg::read!("ttbr0_el1"), Ordering::Relaxed);
}

/// Load this CPU's kernel address space if a process's is loaded. Called
/// with interrupts masked, as a process leaves the CPU.
pub(crate) fn enter(cpu: usize) {
    let kernel = KERNEL_TTBR0[cpu].load(Ordering::Relaxed);
    if kernel != 0 && sysreg::read!("ttbr0_el1") != kernel {
        // SAFETY: the TTBR0_EL1 boot code ran under when it installed the
        // trap table on this CPU: it maps the kernel as every process space
        // does (so the code running now stays mapped), and it is never
        // freed. The invalidation makes this CPU forget the process's half.
        unsafe {
            sysreg::write!("ttbr0_el1", kernel);
            core::arch::asm!("isb", "tlbi vmalle1", "dsb nsh", "isb", options(nostack));
        }
    }
}

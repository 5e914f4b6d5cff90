//! The kernel's own address space, which a CPU goes back to whenever a
//! process leaves it.
//!
//! Once a process has left a CPU ([`leave_process`], just before the
//! kernel lets other CPUs take it), it may run on another CPU, exit there
//! and have its page tables freed (`Os::free_address_space` on the reaping
//! CPU) and reused. A CPU still on those tables, in its scheduler or idle
//! in `hlt`, would walk freed memory at its next TLB miss or push its next
//! interrupt's frame through it: a triple fault. So `leave_process` loads
//! the address space that [`TrapTable::install`](crate::TrapTable) ran in
//! on this CPU: boot code's own, which maps the kernel and is never freed
//! (the trap table's contract). The cost is one CR3 write per switch back
//! (and the TLB it flushes): a process's space is loaded only while it
//! runs.
//!
//! [`leave_process`]: ldex_core::Arch::leave_process

use core::sync::atomic::{AtomicU64, Ordering};

use ldex_core::MAX_CPUS;
use x86_64::PhysAddr;
use x86_64::registers::control::{Cr3, Cr3Flags};
use x86_64::structures::paging::PhysFrame;

/// Each CPU's kernel PML4 (0: not installed yet).
static KERNEL_PML4: [AtomicU64; MAX_CPUS] = [const { AtomicU64::new(0) }; MAX_CPUS];

/// The PML4 in CR3.
fn loaded() -> u64 {
    Cr3::read_raw().0.start_address().as_u64()
}

/// Remember the address space CPU `cpu` runs in now as its kernel's.
/// Called by the trap table's install.
pub(crate) fn remember(cpu: usize) {
    KERNEL_PML4[cpu].store(loaded(), Ordering::Relaxed);
}

/// Load this CPU's kernel address space if a process's is loaded. Called
/// with interrupts off, as a process leaves the CPU.
pub(crate) fn enter(cpu: usize) {
    let kernel = KERNEL_PML4[cpu].load(Ordering::Relaxed);
    if kernel != 0 && loaded() != kernel {
        // SAFETY: the PML4 boot code ran in when it installed the trap
        // table on this CPU: it maps the kernel as every process space
        // does, and it is never freed (the trap table's contract).
        unsafe {
            Cr3::write(
                PhysFrame::containing_address(PhysAddr::new(kernel)),
                Cr3Flags::empty(),
            )
        };
    }
}

//! The kernel's own address space, which an idle CPU goes back to.
//!
//! A CPU keeps the last process's CR3 after switching away from it: the
//! next [`enter_process`](ldex_core::Arch::enter_process) replaces it, and
//! a process that stays on one CPU keeps its TLB entries. On several CPUs
//! that process may meanwhile run on another CPU, exit there and have its
//! page tables freed (`Os::free_address_space` on the reaping CPU), while
//! this CPU idles on them: the next interrupt would push its frame through
//! freed (and perhaps reused) tables, a triple fault. So
//! [`wait_for_interrupt`](ldex_core::Arch::wait_for_interrupt) first loads
//! the address space that [`TrapTable::install`](crate::TrapTable) ran in
//! on this CPU: boot code's own, which maps the kernel and is never freed
//! (the trap table's contract).

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
/// with interrupts off, before idling.
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

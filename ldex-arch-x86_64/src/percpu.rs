//! The per-CPU area the `syscall` entry finds through GS, one per CPU.
//!
//! `syscall` leaves rsp as the user set it, so the entry must find the
//! kernel stack without a stack and without trusting a register: after
//! `swapgs`, GS points at this CPU's area and `gs:[KSTACK_TOP]` is the
//! current process's kernel stack top, the same value as this CPU's
//! TSS.rsp0.
//!
//! The area also holds the CPU's id, which
//! [`X86_64::cpu_id`](ldex_core::Arch::cpu_id) reads with one `mov` from
//! `gs:` (ldex-core's per-CPU choice, see `ldex_core::percpu`). Ring 0
//! always runs with the kernel's GS base (the swapgs rule below), so the
//! read is valid anywhere in Rust code once [`install`] has run on the
//! CPU. The areas are an array indexed by CPU id, and [`install`] gives
//! each CPU its own.
//!
//! # The swapgs rule
//! In ring 0, GS.base is this CPU's area and `IA32_KERNEL_GS_BASE` holds the
//! user's GS base; in ring 3 the other way round. Every entry from ring 3
//! executes `swapgs` exactly once before touching GS and every exit to
//! ring 3 exactly once after its last GS access; entries from ring 0 (the
//! saved CS says so) never do. An NMI or machine check that lands between
//! `syscall` and its `swapgs` (CS is already ring 0) does not use GS.

use core::cell::UnsafeCell;
use core::mem::offset_of;

use ldex_core::MAX_CPUS;
use static_assertions::const_assert_eq;

use crate::msr;

/// The per-CPU area (one CPU's).
#[repr(C)]
pub(crate) struct PerCpu {
    /// The current process's kernel stack top (TSS.rsp0).
    pub kstack_top: u64,
    /// Where the `syscall` entry parks the user rsp while it switches stacks.
    pub user_rsp: u64,
    /// This CPU's id, below `MAX_CPUS`.
    pub cpu_id: u64,
}

const_assert_eq!(offset_of!(PerCpu, kstack_top), 0);
const_assert_eq!(offset_of!(PerCpu, user_rsp), 8);
const_assert_eq!(offset_of!(PerCpu, cpu_id), 16);

struct Cell(UnsafeCell<PerCpu>);
// SAFETY: each area belongs to one CPU, which writes it with interrupts
// off (`install`, `set_kernel_stack`, the syscall entry); no CPU touches
// another's.
unsafe impl Sync for Cell {}

static PERCPU: [Cell; MAX_CPUS] = [const {
    Cell(UnsafeCell::new(PerCpu {
        kstack_top: 0,
        user_rsp: 0,
        cpu_id: 0,
    }))
}; MAX_CPUS];

/// Make GS.base point at CPU `cpu`'s area (ring 0's view), record `cpu`
/// there, and give ring 3 a zero GS base.
///
/// # Safety
/// Boot code of this CPU, ring 0, interrupts off; `cpu` is below
/// `MAX_CPUS` and no other CPU has it.
pub(crate) unsafe fn install(cpu: usize) {
    let area = PERCPU[cpu].0.get();
    // SAFETY: no other CPU uses this area (the caller's promise); it is a
    // `static`, so its address is canonical and lives for ever.
    unsafe {
        (*area).cpu_id = cpu as u64;
        msr::write(msr::GS_BASE, area as u64);
        msr::write(msr::KERNEL_GS_BASE, 0);
    }
}

/// Has this CPU an area yet (a GS base)? False until the first [`install`]
/// on it: GS.base is 0 at reset.
pub(crate) fn installed() -> bool {
    x86_64::registers::model_specific::GsBase::read().as_u64() != 0
}

/// This CPU's id, from its area.
#[inline(always)]
pub(crate) fn cpu_id() -> usize {
    let id: u64;
    // SAFETY: ring 0 runs with GS.base at this CPU's area (the swapgs
    // rule), which `install` wrote; the read has no other effect.
    unsafe {
        core::arch::asm!(
            "mov {}, gs:[{off}]",
            out(reg) id,
            off = const offset_of!(PerCpu, cpu_id),
            options(nostack, readonly, preserves_flags),
        );
    }
    id as usize
}

/// The next `syscall` from ring 3 on this CPU switches to `top`.
///
/// # Safety
/// As [`crate::gdt::set_kernel_stack`].
pub(crate) unsafe fn set_kernel_stack(top: *mut u8) {
    // SAFETY: interrupts are off and the syscall entry is not running on
    // this CPU; GS.base is this CPU's area (ring 0).
    unsafe {
        core::arch::asm!(
            "mov gs:[{off}], {top}",
            top = in(reg) top as u64,
            off = const offset_of!(PerCpu, kstack_top),
            options(nostack, preserves_flags),
        );
    }
}

//! # ldex-arch-x86_64: limited direct execution on x86_64
//!
//! The x86_64 half of ldex-core's boundary:
//!
//! * [`TrapTable`]: a GDT in SYSRET order with a TSS and IST stacks
//!   ([`gdt`]), an IDT whose 256 vectors are naked stubs that give every
//!   trap one frame shape ([`entry`]), `int 0x80` as the only DPL-3 gate,
//!   `syscall`/`sysretq` with `swapgs`, and the 8259 PIC masked.
//! * [`TrapFrame`]: the one frame every entry path saves ([`frame`]).
//! * [`Context`]: swtch, the `resume`/`suspend` pair, in 7 and 9 asm
//!   instructions ([`context`]).
//! * [`Timer`]: the local APIC timer, TSC-deadline or one-shot,
//!   calibrated against the PIT ([`timer`]).
//! * [`ProcessState`]: eager FPU/SSE/AVX state ([`fpu`]) and the FS base.
//! * [`smp`]: the CPU id, starting APs (INIT–SIPI–SIPI), IPIs.
//! * [`supervisor`]: SMEP, SMAP (with [`supervisor::with_user_access`],
//!   the only place ring 0 may touch user pages) and UMIP.
//! * [`X86_64`]: the [`ldex_core::Arch`] tying them together.
//!
//! Everything also compiles for the x86_64 Linux host, where the unit tests
//! run swtch, the FPU save/restore and the stub table natively.
//!
//! # Interrupts
//! Every gate is an interrupt gate and SFMASK clears IF, so kernel code runs
//! with interrupts off unless the protocol turns them on
//! (`X86_64::wait_for_interrupt`, or `KernelPreemption::On` around
//! system calls). The return path disables them again before it restores
//! the frame.
#![no_std]
#![forbid(unsafe_op_in_unsafe_fn)]

#[cfg(test)]
extern crate std;

#[cfg(any(test, feature = "conformance"))]
pub mod conformance;
pub mod context;
pub mod cpuid;
pub mod entry;
pub mod fpu;
pub mod frame;
pub mod gdt;
mod idt;
mod kernel_space;
mod msr;
mod percpu;
mod pic;
pub mod smp;
pub mod supervisor;
pub mod timer;
pub mod trap_table;

use ldex_core::sync::Interrupts;
use x86_64::instructions::interrupts;
use x86_64::registers::control::{Cr3, Cr3Flags};
use x86_64::registers::model_specific::FsBase;
use x86_64::structures::paging::PhysFrame;
use x86_64::{PhysAddr, VirtAddr};

pub use context::Context;
pub use fpu::FpuState;
pub use frame::TrapFrame;
pub use timer::Timer;
pub use trap_table::TrapTable;

/// The x86_64 architecture, for `ldex_core::Kernel<X86_64, ..>`.
#[derive(Debug)]
pub struct X86_64;

/// An address space: the physical address of its PML4 (the CR3 value).
///
/// An `AddressSpace` is a promise ([`ldex_core::Arch::AddressSpace`]): its
/// PML4 maps the kernel as the current address space does and stays valid
/// while a process uses it. Only the `unsafe` [`AddressSpace::new`] makes
/// one, so a kernel may hand it to `Kernel::spawn` from safe code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AddressSpace {
    pml4: u64,
}

impl AddressSpace {
    /// The address space whose PML4 is at physical `pml4` (4 KiB-aligned).
    ///
    /// # Safety
    /// The PML4 at `pml4` maps the kernel (code, data, stacks, the per-CPU
    /// area, devices) as the current address space does, and stays valid
    /// and unchanged in its kernel half while any process runs in it.
    ///
    /// # Panics
    /// If `pml4` is not 4 KiB-aligned.
    pub const unsafe fn new(pml4: u64) -> AddressSpace {
        assert!(pml4.is_multiple_of(4096), "a PML4 is 4 KiB-aligned");
        AddressSpace { pml4 }
    }

    /// The PML4's physical address.
    pub const fn pml4(self) -> u64 {
        self.pml4
    }
}

/// Per-process arch state beyond the trap frame.
#[derive(Debug, Default)]
pub struct ProcessState {
    fpu: FpuState,
    fs_base: u64,
    /// The CPU the process last ran on (`None` before its first run).
    cpu: Option<usize>,
}

impl ProcessState {
    /// Put this state in the CPU: the FS base and the FPU registers.
    fn load(&self) {
        // SAFETY: the kernel never uses FS; the value is 0, was checked
        // canonical by `set_fs_base` or read back from the MSR by
        // `leave_process`.
        unsafe { msr::write(msr::FS_BASE, self.fs_base) };
        self.fpu.restore();
    }

    /// The FS base (`arch_prctl(ARCH_SET_FS)`).
    pub fn fs_base(&self) -> u64 {
        self.fs_base
    }

    /// Set the FS base of the *running* process (system calls run on its
    /// behalf, so the MSR is written too).
    ///
    /// # Errors
    /// Refuses a non-canonical address (`wrmsr` would fault).
    pub fn set_fs_base(&mut self, base: u64) -> Result<(), NonCanonical> {
        VirtAddr::try_new(base).map_err(|_| NonCanonical)?;
        self.fs_base = base;
        // SAFETY: the kernel never uses FS, so only the user's thread
        // pointer changes, and `base` is canonical (checked above).
        unsafe { msr::write(msr::FS_BASE, base) };
        Ok(())
    }
}

/// An address that is not canonical.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NonCanonical;

impl Interrupts for X86_64 {
    fn are_enabled() -> bool {
        interrupts::are_enabled()
    }

    fn enable() {
        interrupts::enable();
    }

    fn disable() {
        interrupts::disable();
    }

    fn interrupt_window() {
        // `sti` delays interrupts by one instruction, so `sti; cli` would
        // let nothing in: the `nop` is the window. A pending interrupt is
        // taken on this (kernel) stack, hence no `nostack`.
        // SAFETY: kernel mode; the handlers a pending interrupt runs are
        // the installed trap table's.
        unsafe { core::arch::asm!("sti", "nop", "cli") };
    }
}

impl ldex_core::Arch for X86_64 {
    type TrapFrame = TrapFrame;
    type Context = Context;
    type TrapTable = TrapTable;
    type Timer = Timer;
    type AddressSpace = AddressSpace;
    type ProcessState = ProcessState;

    /// One `mov` from `gs:` (see [`smp`]).
    #[inline(always)]
    fn cpu_id() -> usize {
        smp::cpu_id()
    }

    /// A fixed IPI through the local APIC's ICR (see [`smp`]).
    fn send_ipi(cpu: usize) {
        smp::send_ipi(cpu);
    }

    fn wait_for_interrupt() {
        // Not on a process's page tables, which another CPU may free
        // meanwhile (see `kernel_space`).
        kernel_space::enter(smp::cpu_id());
        // `sti; hlt` is atomic: an interrupt pending at `sti` wakes the hlt.
        interrupts::enable_and_hlt();
        interrupts::disable();
    }

    unsafe fn enter_process(
        frame: *mut TrapFrame,
        aspace: Option<AddressSpace>,
        state: &mut ProcessState,
    ) {
        // The frame ends where the kernel stack does: the next trap from
        // ring 3 pushes its frame right there.
        let kstack_top = frame.wrapping_add(1).cast::<u8>();
        // SAFETY: the caller promises a frame at the top of a live kernel
        // stack (16-aligned: the frame's size is a multiple of 16); the
        // protocol switches with interrupts off.
        unsafe {
            gdt::set_kernel_stack(kstack_top);
            percpu::set_kernel_stack(kstack_top);
        }
        // CR3 is written when it holds another PML4, and also when the
        // process last ran on another CPU: this CPU's TLB may still hold
        // the process's mappings from an earlier run here, from before it
        // unmapped pages over there (a flush only reaches its own CPU). A
        // process that stays on one CPU keeps its TLB entries.
        let cpu = smp::cpu_id();
        let moved = state.cpu.replace(cpu) != Some(cpu);
        if let Some(aspace) = aspace
            && (moved || Cr3::read_raw().0.start_address().as_u64() != aspace.pml4)
        {
            let pml4 = PhysFrame::containing_address(PhysAddr::new(aspace.pml4));
            // SAFETY: an `AddressSpace` promises it maps the kernel as the
            // current address space does (see `AddressSpace::new`).
            unsafe { Cr3::write(pml4, Cr3Flags::empty()) };
        }
        state.load();
    }

    /// The x87/SSE/AVX init state and an FS base of 0, as a new process.
    fn restart_process(state: &mut ProcessState) {
        *state = ProcessState::default();
        state.load();
    }

    fn leave_process(_frame: &mut TrapFrame, state: &mut ProcessState) {
        state.fpu.save();
        state.fs_base = FsBase::read().as_u64();
    }

    unsafe fn return_to_user(frame: *mut TrapFrame) -> ! {
        // SAFETY: the caller hands over the frame at the top of this stack.
        entry::refuse_noncanonical_start(unsafe { &mut *frame });
        // SAFETY: as above; the frame is a ring-3 context with canonical rip.
        unsafe { entry::enter_user(frame) }
    }
}

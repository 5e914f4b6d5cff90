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
//! * [`LapicTimer`]: the local APIC timer, TSC-deadline or one-shot,
//!   calibrated against the PIT ([`timer`]).
//! * [`ProcessState`]: eager FPU/SSE/AVX state ([`fpu`]) and the FS base.
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

pub mod context;
mod cpuid;
pub mod entry;
pub mod fpu;
pub mod frame;
pub mod gdt;
mod idt;
mod percpu;
mod pic;
pub mod timer;
pub mod trap_table;

use x86_64::instructions::interrupts;
use x86_64::registers::control::{Cr3, Cr3Flags};
use x86_64::registers::model_specific::FsBase;
use x86_64::structures::paging::PhysFrame;
use x86_64::{PhysAddr, VirtAddr};

pub use context::Context;
pub use fpu::FpuState;
pub use frame::TrapFrame;
pub use timer::LapicTimer;
pub use trap_table::TrapTable;

/// The x86_64 architecture, for `ldex_core::Kernel<X86_64, ..>`.
#[derive(Debug)]
pub struct X86_64;

/// An address space: the physical address of its PML4 (the CR3 value).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AddressSpace {
    pml4: u64,
}

impl AddressSpace {
    /// The address space whose PML4 is at physical `pml4` (4 KiB-aligned).
    ///
    /// # Panics
    /// If `pml4` is not 4 KiB-aligned.
    pub const fn new(pml4: u64) -> AddressSpace {
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
}

impl ProcessState {
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
        let addr = VirtAddr::try_new(base).map_err(|_| NonCanonical)?;
        self.fs_base = base;
        FsBase::write(addr);
        Ok(())
    }
}

/// An address that is not canonical.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NonCanonical;

impl ldex_core::Arch for X86_64 {
    type TrapFrame = TrapFrame;
    type Context = Context;
    type TrapTable = TrapTable;
    type Timer = LapicTimer;
    type AddressSpace = AddressSpace;
    type ProcessState = ProcessState;

    fn interrupts_enabled() -> bool {
        interrupts::are_enabled()
    }

    fn disable_interrupts() -> bool {
        let was = interrupts::are_enabled();
        interrupts::disable();
        was
    }

    fn enable_interrupts() {
        interrupts::enable();
    }

    fn wait_for_interrupt() {
        // `sti; hlt` is atomic: an interrupt pending at `sti` wakes the hlt.
        interrupts::enable_and_hlt();
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

    unsafe fn enter_process(
        kstack_top: *mut u8,
        aspace: Option<AddressSpace>,
        state: &mut ProcessState,
    ) {
        // SAFETY: the caller promises a live 16-aligned kernel stack; the
        // protocol switches with interrupts off.
        unsafe {
            gdt::set_kernel_stack(kstack_top);
            percpu::set_kernel_stack(kstack_top);
        }
        if let Some(aspace) = aspace
            && Cr3::read_raw().0.start_address().as_u64() != aspace.pml4
        {
            let frame = PhysFrame::containing_address(PhysAddr::new(aspace.pml4));
            // SAFETY: the caller promises `aspace` maps the kernel as the
            // current address space does.
            unsafe { Cr3::write(frame, Cr3Flags::empty()) };
        }
        FsBase::write(VirtAddr::new_truncate(state.fs_base));
        state.fpu.restore();
    }

    fn leave_process(state: &mut ProcessState) {
        state.fpu.save();
        state.fs_base = FsBase::read().as_u64();
    }

    unsafe fn return_to_user(frame: *mut TrapFrame) -> ! {
        // SAFETY: the caller hands over the frame at the top of this stack.
        entry::refuse_noncanonical_return(unsafe { &mut *frame });
        // SAFETY: as above; the frame is a ring-3 context with canonical rip.
        unsafe { entry::enter_user(frame) }
    }
}

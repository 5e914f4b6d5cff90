//! The GDT, the TSS and the IST stacks: one set per CPU.
//!
//! Each CPU loads a GDT of its own, because the TSS descriptor in it names
//! that CPU's TSS (and `ltr` marks the descriptor busy); the code and data
//! descriptors are the same everywhere. Each CPU's TSS points at its own
//! IST stacks. Arrays indexed by CPU id hold them all; a CPU only ever
//! writes its own entries.
//!
//! # GDT order
//! ```text
//!   0x00 null
//!   0x08 kernel code   <- STAR[47:32]: syscall loads CS = 0x08, SS = 0x10
//!   0x10 kernel data
//!   0x18 user data     <- STAR[63:48] = 0x10: sysretq loads SS = 0x10 + 8,
//!   0x20 user code        CS = 0x10 + 16 (both | 3)
//!   0x28 TSS (16 bytes)
//! ```
//! `syscall`/`sysretq` do not read the GDT: they compute the selectors
//! from STAR, kernel data right after kernel code and, for the return, user
//! data *before* user code. That fixed arithmetic is why the user data
//! descriptor comes first.
//!
//! # TSS
//! In long mode the TSS holds stacks only. `rsp0` is where the CPU puts the
//! interrupt frame of a trap from ring 3: the current process's kernel stack
//! top, rewritten by `set_kernel_stack` (from `Arch::enter_process`) on
//! every switch, in the TSS of the CPU that switches. The I/O bitmap is empty, so ring 3 (IOPL 0) may use no port.
//!
//! # IST
//! Three traps switch to a stack of their own no matter what: a double fault
//! (the current stack may be the problem), an NMI and a machine check (both
//! can arrive between `syscall` and the switch to the kernel stack, or
//! between loading the user rsp and `sysretq`, when rsp is the *user's*).
//! Each IST stack is page-aligned and its lowest page is a guard
//! ([`ist_guard_pages`]) that the kernel leaves unmapped: an overflowing
//! handler page-faults there, cannot push that fault's frame, and double
//! faults onto a fresh IST1 stack that reports it, instead of running into
//! whatever lies below.

use core::cell::UnsafeCell;

use x86_64::VirtAddr;
use x86_64::instructions::segmentation::{CS, DS, ES, SS, Segment};
use x86_64::instructions::tables::load_tss;
use x86_64::structures::gdt::{Descriptor, GlobalDescriptorTable, SegmentSelector};
use x86_64::structures::tss::TaskStateSegment;

use ldex_core::MAX_CPUS;

use crate::percpu;

/// Kernel code selector.
pub const KERNEL_CS: u16 = 0x08;
/// Kernel data (stack) selector.
pub const KERNEL_SS: u16 = 0x10;
/// User data (stack) selector, RPL 3.
pub const USER_SS: u16 = 0x18 | 3;
/// User code selector, RPL 3.
pub const USER_CS: u16 = 0x20 | 3;
/// The TSS selector.
pub const TSS_SEL: u16 = 0x28;

/// The IST slot (1-based, as the IDT names it) of the double-fault stack.
pub const IST_DOUBLE_FAULT: u16 = 1;
/// The IST slot of the NMI stack.
pub const IST_NMI: u16 = 2;
/// The IST slot of the machine-check stack.
pub const IST_MACHINE_CHECK: u16 = 3;

/// A page, the unit of the IST guards.
const PAGE: usize = 4096;
/// Bytes of each IST stack, its guard page (the lowest) included.
const IST_STACK_SIZE: usize = 5 * PAGE;

#[repr(C, align(4096))]
struct IstStack(UnsafeCell<[u8; IST_STACK_SIZE]>);

/// A cell one CPU (and its boot code) writes.
#[repr(transparent)]
struct Shared<T>(UnsafeCell<T>);

// SAFETY: entry `c` of each array below belongs to CPU `c`: its TSS and IST
// stacks are written by its boot code and `set_kernel_stack` with
// interrupts disabled, otherwise only by that CPU itself.
unsafe impl<T> Sync for Shared<T> {}
// SAFETY: as above.
unsafe impl Sync for IstStack {}

static TSS: [Shared<TaskStateSegment>; MAX_CPUS] =
    [const { Shared(UnsafeCell::new(TaskStateSegment::new())) }; MAX_CPUS];
static IST_STACKS: [[IstStack; 3]; MAX_CPUS] =
    [const { [const { IstStack(UnsafeCell::new([0; IST_STACK_SIZE])) }; 3] }; MAX_CPUS];
static GDT: [spin::Once<GlobalDescriptorTable<8>>; MAX_CPUS] =
    [const { spin::Once::new() }; MAX_CPUS];

/// Build and load this CPU's GDT and TSS (CPU `cpu`), and reload every
/// segment register.
///
/// # Safety
/// Boot code of CPU `cpu`, ring 0, interrupts disabled, once per boot.
pub(crate) unsafe fn install(cpu: usize) {
    let tss = TSS[cpu].0.get();
    for (slot, stack) in [IST_DOUBLE_FAULT, IST_NMI, IST_MACHINE_CHECK]
        .into_iter()
        .zip(&IST_STACKS[cpu])
    {
        let top = stack.0.get().cast::<u8>().wrapping_add(IST_STACK_SIZE);
        // SAFETY: boot code is the TSS's only writer and nothing reads it yet.
        unsafe { (*tss).interrupt_stack_table[usize::from(slot) - 1] = VirtAddr::from_ptr(top) };
    }
    let gdt = GDT[cpu].call_once(|| {
        let mut gdt = GlobalDescriptorTable::new();
        let sels = [
            gdt.append(Descriptor::kernel_code_segment()),
            gdt.append(Descriptor::kernel_data_segment()),
            gdt.append(Descriptor::user_data_segment()),
            gdt.append(Descriptor::user_code_segment()),
            // SAFETY: the TSS is a static that lives for ever.
            gdt.append(unsafe { Descriptor::tss_segment_unchecked(tss) }),
        ];
        let want = [KERNEL_CS, KERNEL_SS, USER_SS, USER_CS, TSS_SEL];
        assert_eq!(sels.map(|s| s.0), want, "GDT selectors out of SYSRET order");
        gdt
    });
    gdt.load();
    // SAFETY: the selectors name the descriptors just loaded.
    unsafe {
        CS::set_reg(SegmentSelector(KERNEL_CS));
        SS::set_reg(SegmentSelector(KERNEL_SS));
        DS::set_reg(SegmentSelector(0));
        ES::set_reg(SegmentSelector(0));
        load_tss(SegmentSelector(TSS_SEL));
    }
}

/// The lowest page of each IST stack of CPU `cpu` (IST1, IST2, IST3),
/// which the kernel must leave unmapped in every address space: the guard
/// the module doc describes.
pub fn ist_guard_pages(cpu: usize) -> [usize; 3] {
    IST_STACKS[cpu]
        .each_ref()
        .map(|stack| stack.0.get() as usize)
}

/// The IST slot whose guard page (of any CPU's stacks) holds `rsp`, if
/// any: the stack that overflowed, for the double-fault report. Asks no
/// CPU id, so it works however broken the kernel is.
pub(crate) fn ist_overflowed(rsp: u64) -> Option<u16> {
    let slots = [IST_DOUBLE_FAULT, IST_NMI, IST_MACHINE_CHECK];
    (0..MAX_CPUS).find_map(|cpu| {
        let guards = ist_guard_pages(cpu).map(|g| g as u64..g as u64 + PAGE as u64);
        slots
            .into_iter()
            .zip(guards)
            .find_map(|(slot, g)| g.contains(&rsp).then_some(slot))
    })
}

/// The top of this CPU's IST stack `slot` (1-based, as
/// [`IST_DOUBLE_FAULT`]), for a test that overflows it.
pub fn ist_stack_top(slot: u16) -> usize {
    IST_STACKS[percpu::cpu_id()][usize::from(slot) - 1].0.get() as usize + IST_STACK_SIZE
}

/// Point TSS.rsp0 at `top`: the next trap from ring 3 lands there.
///
/// # Safety
/// `top` is a 16-aligned kernel stack top that stays valid while ring 3
/// code may trap; interrupts are disabled.
pub(crate) unsafe fn set_kernel_stack(top: *mut u8) {
    // SAFETY: this CPU's TSS, with interrupts off: nothing else writes it
    // now, and the CPU reads rsp0 only at a trap from ring 3.
    unsafe { (*TSS[percpu::cpu_id()].0.get()).privilege_stack_table[0] = VirtAddr::from_ptr(top) };
}

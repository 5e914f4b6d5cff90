//! The IDT: all 256 vectors, each pointing at its stub in
//! [`crate::entry`].
//!
//! Every gate is an interrupt gate (the CPU clears IF on entry, so the
//! kernel runs with interrupts off until it says otherwise) of DPL 0, except
//! `int 0x80`, DPL 3, the only vector ring 3 may raise with `int n`. Ring 3
//! naming any other vector (`int 0x20`, even `int3`) takes #GP instead.
//! Double fault, NMI and machine check switch to their IST stacks
//! ([`crate::gdt`]).
//!
//! The rust-osdev `x86_64` crate supplies the gate descriptor
//! (`Entry::set_handler_addr` and its options), so the bit layout of a gate
//! is not re-derived here.

use core::cell::UnsafeCell;

use x86_64::instructions::tables::lidt;
use x86_64::structures::DescriptorTablePointer;
use x86_64::structures::idt::{Entry, HandlerFunc};
use x86_64::{PrivilegeLevel, VirtAddr};

use crate::entry::{INT80_VECTOR, stub_address};
use crate::gdt::{IST_DOUBLE_FAULT, IST_MACHINE_CHECK, IST_NMI};

const DOUBLE_FAULT: usize = 8;
const NMI: usize = 2;
const MACHINE_CHECK: usize = 18;

struct Idt(UnsafeCell<[Entry<HandlerFunc>; 256]>);
// SAFETY: written once by the first CPU's boot code with interrupts off,
// before any CPU loads it; then read only by the CPUs.
unsafe impl Sync for Idt {}

static IDT: Idt = Idt(UnsafeCell::new([const { Entry::missing() }; 256]));

/// Filled by the first CPU's [`install`]; every CPU loads the same IDT.
static FILLED: spin::Once<()> = spin::Once::new();

/// Fill the IDT (the first time) and load it on this CPU.
///
/// # Safety
/// Boot code, ring 0, interrupts disabled, after [`crate::gdt::install`]
/// (the gates take the current CS), once per CPU.
pub(crate) unsafe fn install() {
    // SAFETY: forwarded; `Once` makes the fill happen once, before any CPU
    // loads the table.
    FILLED.call_once(|| unsafe { fill() });
    let pointer = DescriptorTablePointer {
        limit: (core::mem::size_of::<[Entry<HandlerFunc>; 256]>() - 1) as u16,
        base: VirtAddr::from_ptr(IDT.0.get()),
    };
    // SAFETY: the IDT is static and complete.
    unsafe { lidt(&pointer) };
}

/// Point every vector at its stub.
///
/// # Safety
/// As [`install`]; no CPU has loaded the IDT yet.
unsafe fn fill() {
    // SAFETY: boot code is the only writer; no CPU uses it yet.
    let idt = unsafe { &mut *IDT.0.get() };
    for (vector, entry) in idt.iter_mut().enumerate() {
        let stub = VirtAddr::new(stub_address(vector as u8));
        // SAFETY: the stub is a valid entry point for its vector.
        let options = unsafe { entry.set_handler_addr(stub) };
        let ist = match vector {
            DOUBLE_FAULT => Some(IST_DOUBLE_FAULT),
            NMI => Some(IST_NMI),
            MACHINE_CHECK => Some(IST_MACHINE_CHECK),
            _ => None,
        };
        if let Some(slot) = ist {
            // SAFETY: each IST slot is used by exactly one vector.
            unsafe { options.set_stack_index(slot - 1) };
        }
        if vector == usize::from(INT80_VECTOR) {
            options.set_privilege_level(PrivilegeLevel::Ring3);
        }
    }
}

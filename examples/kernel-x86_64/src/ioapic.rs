//! The I/O APIC and COM1's receive interrupt.
//!
//! The I/O APIC is a board device, not part of the x86_64 architecture:
//! where its registers are, how many there are and which pin each ISA IRQ
//! reaches is the board's wiring, which the firmware writes down in the
//! ACPI MADT ([`crate::madt`]). So, as the PLIC on RISC-V, it lives here in
//! the example kernel; `ldex-arch-x86_64` stops at the CPU and its local
//! APIC (the timer, the end of interrupt, the 8259 PICs it keeps masked).
//!
//! The path of a byte typed on the console:
//!
//! ```text
//!   COM1 receives a byte       (IER: "received data available" on, MCR.OUT2 on)
//!   -> ISA IRQ 4               (the MADT may move it to another GSI)
//!   -> I/O APIC pin            (redirection entry: COM1_VECTOR, fixed, to the boot CPU)
//!   -> local APIC              (in service until the EOI)
//!   -> IDT vector COM1_VECTOR  (TrapCause::External(COM1_VECTOR): "device interrupt 48")
//!   -> Os::interrupt -> Platform::device_interrupt -> interrupt() here:
//!      drain the receive FIFO into the input ring, then EOI
//! ```
//!
//! [`COM1_VECTOR`] sits in priority class 3, below the timer's (class 4):
//! when both are pending the local APIC delivers the timer first, so a
//! device that interrupts without pause still leaves the timer its ticks.
//!
//! Any other device vector was raised by no device: it is counted as
//! spurious. The local APIC's spurious vector, the masked PICs' spurious
//! IRQ 7 and 15 and the NMI are never put in service, so they get no EOI;
//! any other vector does, or the APIC would hold back everything at or
//! below its priority class.

use core::fmt;
use kernel_common::os::Claim;

use ldex_arch_x86_64::cpuid::cpuid;
use ldex_arch_x86_64::entry::{PIC_BASE, SPURIOUS_VECTOR};
use ldex_arch_x86_64::timer::Eoi;
use ldex_core::sync::SpinLock;

use crate::madt::{self, Route};
use crate::memory::phys_to_virt;
use crate::serial::Serial;

/// COM1's ISA IRQ.
pub const COM1_IRQ: u8 = 4;
/// The IDT vector COM1's receive interrupt arrives on: priority class 3,
/// below the timer's `TIMER_VECTOR` (0x40).
pub const COM1_VECTOR: u8 = 0x30;

/// The I/O APIC's register select and window (32-bit, indirect).
const IOREGSEL: u64 = 0x00;
const IOWIN: u64 = 0x10;
/// Version register: bits 16..24 hold the highest pin number.
const IOAPICVER: u32 = 0x01;
/// Pin `n`'s redirection entry: low dword at `0x10 + 2n`, high at `+ 1`.
const REDTBL: u32 = 0x10;
const RED_ACTIVE_LOW: u32 = 1 << 13;
const RED_LEVEL: u32 = 1 << 15;
const RED_MASKED: u32 = 1 << 16;

/// The NMI's vector, which no EOI retires.
const NMI_VECTOR: u8 = 2;

/// What `init` set up: the local APIC's end of interrupt (from the
/// calibrated timer) and COM1's I/O APIC pin.
static ROUTED: SpinLock<Option<(Eoi, u8)>> = SpinLock::new(None);

/// Why COM1's interrupt could not be routed.
#[derive(Debug)]
pub enum Error {
    /// The MADT gave no route for IRQ 4.
    Madt(madt::Error),
    /// The MADT named a pin the I/O APIC does not have.
    NoSuchPin {
        /// The pin.
        pin: u8,
        /// The chip's pin count.
        pins: u32,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Madt(e) => write!(f, "{e}"),
            Error::NoSuchPin { pin, pins } => {
                write!(f, "the MADT names pin {pin}, the I/O APIC has {pins}")
            }
        }
    }
}

/// An I/O APIC at physical `base`, reached through the direct map.
struct IoApic {
    base: u64,
}

impl IoApic {
    fn read(&self, reg: u32) -> u32 {
        // SAFETY: the direct map covers the I/O APIC (below 4 GiB); select,
        // then read the window. Interrupts are off, so nothing intervenes.
        unsafe {
            phys_to_virt(self.base + IOREGSEL)
                .cast::<u32>()
                .write_volatile(reg);
            phys_to_virt(self.base + IOWIN)
                .cast::<u32>()
                .read_volatile()
        }
    }

    fn write(&self, reg: u32, value: u32) {
        // SAFETY: as in `read`.
        unsafe {
            phys_to_virt(self.base + IOREGSEL)
                .cast::<u32>()
                .write_volatile(reg);
            phys_to_virt(self.base + IOWIN)
                .cast::<u32>()
                .write_volatile(value);
        }
    }

    fn pins(&self) -> u32 {
        ((self.read(IOAPICVER) >> 16) & 0xff) + 1
    }
}

/// The boot CPU's local APIC ID (CPUID leaf 1, EBX bits 24..32).
fn boot_apic_id() -> u32 {
    cpuid(1, 0).ebx >> 24
}

/// Route COM1's receive interrupt to [`COM1_VECTOR`] on this CPU: find its
/// pin in the MADT under the RSDP at physical `rsdp`, mask every other pin
/// of that I/O APIC, program the pin, and turn on the UART's interrupt.
/// `eoi` retires each interrupt. Boot code, interrupts off, before any
/// process runs.
///
/// # Safety
/// `rsdp` is 0 or the RSDP's physical address (from the PVH start info).
pub unsafe fn init(rsdp: u64, eoi: Eoi) -> Result<Route, Error> {
    // SAFETY: our caller's promise; QEMU's tables lie below 4 GiB.
    let route = unsafe { madt::route_isa_irq(rsdp, COM1_IRQ) }.map_err(Error::Madt)?;
    let chip = IoApic { base: route.ioapic };
    let pins = chip.pins();
    if u32::from(route.pin) >= pins {
        return Err(Error::NoSuchPin {
            pin: route.pin,
            pins,
        });
    }
    for pin in 0..pins {
        chip.write(REDTBL + 2 * pin, RED_MASKED);
    }
    let mut low = u32::from(COM1_VECTOR);
    if route.active_low {
        low |= RED_ACTIVE_LOW;
    }
    if route.level {
        low |= RED_LEVEL;
    }
    let entry = REDTBL + 2 * u32::from(route.pin);
    chip.write(entry + 1, boot_apic_id() << 24);
    chip.write(entry, low);
    *ROUTED.lock() = Some((eoi, route.pin));
    Serial::enable_interrupts();
    Ok(route)
}

/// Device interrupt `vector`: for COM1's, drain the UART into `input` and
/// send the EOI; any other is spurious (see the module doc for which get
/// an EOI).
pub fn interrupt(vector: u32, input: &mut dyn FnMut(u8)) -> Claim {
    let Ok(vector) = u8::try_from(vector) else {
        return Claim::Spurious;
    };
    let Some((eoi, pin)) = *ROUTED.lock() else {
        return Claim::Spurious;
    };
    let in_service = !(vector == SPURIOUS_VECTOR
        || vector == NMI_VECTOR
        || (PIC_BASE..PIC_BASE + 16).contains(&vector));
    let claim = if vector == COM1_VECTOR {
        Serial::receive(input);
        #[cfg(feature = "irq-storm-test")]
        Serial::raise_transmit_interrupt();
        Claim::Console(u32::from(pin))
    } else {
        Claim::Spurious
    };
    if in_service {
        eoi.signal();
    }
    claim
}

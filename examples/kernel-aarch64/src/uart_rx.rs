//! The console's receive interrupt: the PL011's RX interrupt through the
//! GICv2.
//!
//! On QEMU `virt` the PL011 raises shared peripheral interrupt 1, GIC id
//! [`UART_IRQ`] (33), level-triggered. [`init`] routes it to CPU 0 in the
//! distributor ([`gic::route_spi`], a board fact on top of the arch's GIC)
//! and unmasks the UART's receive and receive-timeout interrupts
//! (`UARTIMSC.RXIM`, `RTIM`). The trap entry acknowledges it (`GICC_IAR`)
//! and reports `TrapCause::External(33)`; [`interrupt`] drains the receive
//! FIFO into the OS's ring, after clearing the two interrupts (`UARTICR`;
//! the order matters, see [`interrupt`]), and ends it (`GICC_EOIR`), after
//! which the GIC may raise it again. The id 1023 that `GICC_IAR` gives
//! when nothing is pending is [`Claim::Spurious`]: counted by the OS,
//! never ended.
//!
//! The UART's priority is above the timer's, so a UART that interrupts
//! without pause would be taken before every tick. A storm makes the OS
//! [`hold`] the interrupt (its distributor enable bit off) for the rest of
//! the tick; the UART's line stays raised meanwhile, so the GIC delivers
//! it as soon as the bit is back.
//!
//! The PL011 of QEMU 7.2 cannot be made to interrupt without pause (its
//! transmit interrupt comes once per byte sent, and it has no loopback),
//! so the `irq-storm-test` build plays such a device: after each of its
//! interrupts, spurious ones included, it sets the interrupt pending again
//! in the distributor ([`gic::set_pending`]), as `init` does first. From
//! boot to power-off the GIC always has the UART's interrupt to deliver.

use kernel_common::os::Claim;
use ldex_arch_aarch64::gic;

use crate::board::{self, UART};

/// The PL011's GIC interrupt id on `virt` (SPI 1).
pub const UART_IRQ: u32 = 33;
/// More urgent than the timer's, so a storm is a real threat to it.
const PRIORITY: u8 = gic::TIMER_PRIORITY / 2;

/// `UARTDR`: the data register (reading pops one received byte).
const DR: usize = 0x00;
/// `UARTFR`: the flag register.
const FR: usize = 0x18;
/// `UARTFR.RXFE`: the receive FIFO is empty.
const FR_RXFE: u32 = 1 << 4;
/// `UARTIMSC`: the interrupt mask set/clear register.
const IMSC: usize = 0x38;
/// `UARTICR`: the interrupt clear register.
const ICR: usize = 0x44;
/// The receive interrupt (`RXIM`/`RXIC`) and the receive-timeout interrupt
/// (`RTIM`/`RTIC`: bytes wait in the FIFO below its trigger level).
const RX: u32 = 1 << 4;
const RX_TIMEOUT: u32 = 1 << 6;

fn uart(offset: usize) -> *mut u32 {
    (board::MMIO.device(UART) + offset) as *mut u32
}

/// Route the UART's receive interrupts to this CPU. Boot code, after
/// `gic::init`, with IRQs still masked at the CPU.
pub fn init() {
    gic::route_spi(UART_IRQ, PRIORITY);
    // SAFETY: the PL011's mask register; this only enables its receive
    // interrupts.
    unsafe { uart(IMSC).write_volatile(RX | RX_TIMEOUT) };
    #[cfg(feature = "irq-storm-test")]
    gic::set_pending(UART_IRQ);
}

/// Hold the UART's interrupt back (`true`), or let it go again.
pub fn hold(held: bool) {
    gic::set_enabled(UART_IRQ, !held);
}

/// Device interrupt `id`, acknowledged by the trap entry: drain the UART
/// into `input` and end it.
pub fn interrupt(id: u32, input: &mut dyn FnMut(u8)) -> Claim {
    #[cfg(feature = "irq-storm-test")]
    gic::set_pending(UART_IRQ);
    match id {
        gic::SPURIOUS => Claim::Spurious,
        UART_IRQ => {
            // SAFETY: the PL011's registers; writing ICR lowers the receive
            // interrupts, reading DR pops one byte.
            unsafe {
                // Clear first, drain second. ICR lowers the line whatever
                // the FIFO holds, so cleared after the drain it would also
                // lower the interrupt of a byte that arrived after the last
                // RXFE test: that byte, and every one behind it, would wait
                // for an interrupt that never comes. Cleared before, any
                // such byte raises the line again.
                uart(ICR).write_volatile(RX | RX_TIMEOUT);
                while uart(FR).read_volatile() & FR_RXFE == 0 {
                    input(uart(DR).read_volatile() as u8);
                }
            }
            gic::end_of_interrupt(UART_IRQ);
            Claim::Console(UART_IRQ)
        }
        other => {
            gic::end_of_interrupt(other);
            Claim::Spurious
        }
    }
}

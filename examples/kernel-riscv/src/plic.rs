//! The PLIC of QEMU `virt` and the console's receive interrupt.
//!
//! The platform-level interrupt controller is a board device, not part of
//! the RISC-V privileged architecture (its address and sources come from
//! the board, AIA boards have none): so it lives here, in the example
//! kernel, and `ldex-arch-riscv` stops at the hart. The hart reports a PLIC
//! interrupt as the supervisor external interrupt (`scause` 9), which the
//! arch decodes to `TrapCause::External(9)`; the OS then asks the PLIC
//! which source it was ([`claim`]), lets the device's driver run, and
//! hands the source back ([`complete`]), after which the PLIC may raise it
//! again.
//!
//! Only the UART (source [`UART_IRQ`]) is enabled, for the boot hart's
//! S-mode context, at priority 1 over a threshold of 0. The boot hart is
//! whichever hart the firmware chose: OpenSBI 1.1 lets the harts race for
//! it, and now and then hart 1 wins, so the context is worked out from the
//! hart id ([`s_context`]), never assumed to be hart 0's. The UART raises its
//! receive interrupt while its FIFO holds a byte, so the driver drains the
//! FIFO before completing: a complete with bytes left would only bring the
//! interrupt straight back. A storm makes the OS [`hold`] the source (its
//! enable bit off) for the rest of a tick; the UART's line stays raised
//! meanwhile, so the PLIC delivers it as soon as the bit is back.
//!
//! The `irq-storm-test` build also turns on the UART's "transmit holding
//! register empty" interrupt and, after each interrupt, turns the UART's
//! interrupts off and on again: QEMU's PLIC pends a source when the UART
//! updates its line, not while it stays raised, and the toggle is such an
//! update. With nothing to send the line is raised again at once, so the
//! UART interrupts without pause, from boot to power-off.

use core::sync::atomic::{AtomicUsize, Ordering};

use kernel_common::os::Claim;

use crate::board::{self, PLIC, UART};

/// The UART's PLIC source on `virt`.
pub const UART_IRQ: u32 = 10;
/// The S-mode context that [`init`] routed the UART to: the boot hart's.
static CONTEXT: AtomicUsize = AtomicUsize::new(0);

/// Hart `hart`'s S-mode context on `virt`: each hart has two contexts, its
/// M-mode one (`2 * hart`) and its S-mode one, next.
const fn s_context(hart: usize) -> usize {
    2 * hart + 1
}

const PRIORITY: usize = 0;

/// The routed context's enable words.
fn enable() -> usize {
    0x2000 + CONTEXT.load(Ordering::Relaxed) * 0x80
}

/// The routed context's priority threshold.
fn threshold() -> usize {
    0x20_0000 + CONTEXT.load(Ordering::Relaxed) * 0x1000
}

/// The routed context's claim/complete register, next to its threshold.
fn claim_complete() -> usize {
    threshold() + 4
}

/// `sie.SEIE`: the supervisor external interrupt is enabled.
const SIE_SEIE: usize = 1 << 9;

/// UART registers: receive buffer, interrupt enable, line status.
const RBR: usize = 0;
const IER: usize = 1;
const IER_RX_AVAILABLE: u8 = 1;
const IER_TX_EMPTY: u8 = 2;
/// The interrupts the UART raises.
const IER_ON: u8 = if cfg!(feature = "irq-storm-test") {
    IER_RX_AVAILABLE | IER_TX_EMPTY
} else {
    IER_RX_AVAILABLE
};
const LSR: usize = 5;
const LSR_DATA_READY: u8 = 1;

fn reg(offset: usize) -> *mut u32 {
    (board::MMIO.device(PLIC) + offset) as *mut u32
}

fn uart(offset: usize) -> *mut u8 {
    (board::MMIO.device(UART) + offset) as *mut u8
}

/// Route the UART's receive interrupt to this hart's (`hart`'s) S-mode:
/// enable it in the UART, give its source priority 1 and enable it in the
/// PLIC, and set `sie.SEIE`. Boot code on the boot hart, once, with
/// `sstatus.SIE` still off.
pub fn init(hart: usize) {
    CONTEXT.store(s_context(hart), Ordering::Relaxed);
    // SAFETY: the PLIC's and the UART's registers are at these addresses
    // (physical or the alias); these writes only route one interrupt.
    unsafe {
        reg(PRIORITY + 4 * UART_IRQ as usize).write_volatile(1);
        reg(enable()).write_volatile(1 << UART_IRQ);
        reg(threshold()).write_volatile(0);
        uart(IER).write_volatile(IER_ON);
        core::arch::asm!("csrs sie, {}", in(reg) SIE_SEIE, options(nostack));
    }
}

/// Hold the UART's source back (`true`: its enable bit off), or let it go
/// again.
pub fn hold(held: bool) {
    let enabled = if held { 0 } else { 1 << UART_IRQ };
    // SAFETY: the boot hart's S-mode enable word (only the UART's bit is
    // ever set) and threshold (0, as `init` set it).
    unsafe {
        reg(enable()).write_volatile(enabled);
        // QEMU's PLIC looks at its pending sources again on a threshold
        // write, not on an enable write: without this, input that came
        // while held would wait for the UART's next change, maybe for ever.
        reg(threshold()).write_volatile(0);
    }
}

/// Which source interrupted; 0 when none is pending (another hart took it,
/// or the interrupt was spurious).
fn claim() -> u32 {
    // SAFETY: reading the claim register takes the pending source.
    unsafe { reg(claim_complete()).read_volatile() }
}

/// Source `irq` is handled: the PLIC may raise it again.
fn complete(irq: u32) {
    // SAFETY: writing back a claimed source completes it.
    unsafe { reg(claim_complete()).write_volatile(irq) };
}

/// The external interrupt: claim, drain the UART into `input`, complete.
pub fn interrupt(input: &mut dyn FnMut(u8)) -> Claim {
    let source = claim();
    #[cfg(feature = "irq-storm-test")]
    // SAFETY: the UART's interrupt enable; this only asks for the next
    // interrupt, once the claim has taken this one (after a spurious claim
    // too, so the storm never stops).
    unsafe {
        uart(IER).write_volatile(0);
        uart(IER).write_volatile(IER_ON);
    }
    match source {
        0 => Claim::Spurious,
        UART_IRQ => {
            // SAFETY: the UART's registers; reading RBR pops one byte.
            unsafe {
                while uart(LSR).read_volatile() & LSR_DATA_READY != 0 {
                    input(uart(RBR).read_volatile());
                }
            }
            complete(UART_IRQ);
            Claim::Console(UART_IRQ)
        }
        other => {
            complete(other);
            Claim::Spurious
        }
    }
}

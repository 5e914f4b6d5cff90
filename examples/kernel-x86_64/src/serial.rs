//! The console: COM1 (16550 UART at port 0x3f8). Output is polled; input
//! comes by COM1's receive interrupt, which [`crate::ioapic`] routes and
//! whose handler drains the receive FIFO ([`Serial::receive`]).

use core::sync::atomic::{AtomicBool, Ordering};

use kernel_common::console::{Console, WriteLock};
use kernel_common::driver::ExitCode;
use ldex_arch_x86_64::X86_64;
use x86_64::instructions::port::Port;

/// [`Serial`]'s lock: each of its writes is whole.
static WRITE: WriteLock<X86_64> = WriteLock::new();

const COM1: u16 = 0x3f8;
/// Registers: receive buffer, interrupt enable, modem control, line status.
const RBR: u16 = 0;
const IER: u16 = 1;
const MCR: u16 = 4;
const LSR: u16 = 5;
const IER_RX_AVAILABLE: u8 = 1;
/// "Transmit holding register empty": raised whenever COM1 can take a
/// byte (only the `irq-storm-test` build asks for it).
const IER_TX_EMPTY: u8 = 2;
/// DTR and RTS, and OUT2, which on a PC connects the UART's interrupt
/// output to IRQ 4.
const MCR_DTR_RTS_OUT2: u8 = 0x0b;
const LSR_DATA_READY: u8 = 1;

/// COM1's interrupts are held back (IER 0) for the rest of a tick.
static HELD: AtomicBool = AtomicBool::new(false);

/// The interrupts COM1 raises when not held.
const IER_ON: u8 = if cfg!(feature = "irq-storm-test") {
    IER_RX_AVAILABLE | IER_TX_EMPTY
} else {
    IER_RX_AVAILABLE
};

/// COM1.
pub struct Serial;

impl Serial {
    /// 115200 8N1, FIFOs on, no interrupts.
    pub fn init() {
        let reg = |off: u16, v: u8| {
            // SAFETY: the 16550 init sequence on COM1, boot code only.
            unsafe { Port::<u8>::new(COM1 + off).write(v) }
        };
        reg(1, 0x00);
        reg(3, 0x80);
        reg(0, 0x01);
        reg(1, 0x00);
        reg(3, 0x03);
        reg(2, 0xc7);
        reg(4, 0x03);
    }

    /// Raise IRQ 4 while the receive FIFO holds a byte (and, in the
    /// `irq-storm-test` build, whenever COM1 could send one). Boot code,
    /// once the interrupt is routed.
    pub fn enable_interrupts() {
        // SAFETY: COM1's own registers; this only lets it interrupt.
        unsafe {
            Port::<u8>::new(COM1 + MCR).write(MCR_DTR_RTS_OUT2);
            Port::<u8>::new(COM1 + IER).write(IER_ON);
        }
    }

    /// Hold COM1's interrupts back (`true`), or let them go again: what
    /// arrives meanwhile waits in the receive FIFO (and QEMU holds back the
    /// rest), and the interrupt comes as soon as they are let go.
    pub fn hold_interrupts(held: bool) {
        HELD.store(held, Ordering::Relaxed);
        let ier = if held { 0 } else { IER_ON };
        // SAFETY: COM1's interrupt enable; this only gates its interrupt.
        unsafe { Port::<u8>::new(COM1 + IER).write(ier) };
    }

    /// Hand every byte in the receive FIFO to `input`: the interrupt is
    /// raised again only once the FIFO has been emptied.
    pub fn receive(input: &mut dyn FnMut(u8)) {
        // SAFETY: reading LSR has no effect; reading RBR pops one byte.
        unsafe {
            while Port::<u8>::new(COM1 + LSR).read() & LSR_DATA_READY != 0 {
                input(Port::<u8>::new(COM1 + RBR).read());
            }
        }
    }

    /// The `irq-storm-test` build's storm: after each COM1 interrupt, turn
    /// its interrupts off and on again. With nothing to send, the UART
    /// raises IRQ 4 again at once, so COM1 interrupts without pause, and on
    /// return from each interrupt the next is taken before one instruction
    /// of the interrupted code runs. Held back, it asks for nothing: the
    /// storm resumes when the OS lets COM1 go at the next tick.
    #[cfg(feature = "irq-storm-test")]
    pub fn raise_transmit_interrupt() {
        if HELD.load(Ordering::Relaxed) {
            return;
        }
        // SAFETY: COM1's interrupt enable; this only asks for an interrupt.
        unsafe {
            let mut ier = Port::<u8>::new(COM1 + IER);
            // Through 0, so the line falls even when a byte came in since
            // the drain: the I/O APIC's pin is edge-triggered, and a line
            // that never falls brings no interrupt again.
            ier.write(0);
            ier.write(IER_ON);
        }
    }

    fn put(byte: u8) {
        // SAFETY: polling LSR and writing THR of COM1 has no other effect.
        unsafe {
            let mut lsr = Port::<u8>::new(COM1 + LSR);
            while lsr.read() & 0x20 == 0 {
                core::hint::spin_loop();
            }
            Port::<u8>::new(COM1).write(byte);
        }
    }
}

impl Console for Serial {
    fn write_bytes(&self, bytes: &[u8]) {
        WRITE.write(|| {
            for &b in bytes {
                if b == b'\n' {
                    Serial::put(b'\r');
                }
                Serial::put(b);
            }
        });
    }
}

/// Print on the console, like `print!`.
#[macro_export]
macro_rules! kprint {
    ($($arg:tt)*) => {
        kernel_common::console::print(&$crate::serial::Serial, format_args!($($arg)*))
    };
}

/// Leave QEMU through `isa-debug-exit` (iobase 0xf4), which exits with
/// `(value << 1) | 1`: success writes 16 (QEMU exits 33, as 0 would be
/// QEMU's own 1), a failure its code (a panic exits 3, no programs 5,
/// none runnable 7).
pub fn qemu_exit(code: ExitCode) -> ! {
    let value: u32 = match code {
        ExitCode::Success => 0x10,
        failure => failure as u32,
    };
    // SAFETY: the debug-exit port only stops the machine.
    unsafe { Port::<u32>::new(0xf4).write(value) };
    loop {
        x86_64::instructions::interrupts::disable();
        x86_64::instructions::hlt();
    }
}

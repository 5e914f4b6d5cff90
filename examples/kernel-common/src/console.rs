//! Kernel messages onto a byte sink (a UART, or a test buffer).
//!
//! Each kernel implements [`Console`] for its serial port once; the shared
//! code prints through [`print`], which formats straight onto the port
//! without a buffer.

use core::fmt;

/// Somewhere kernel text goes. Writes are whole and in order; a kernel with
/// several CPUs serialises them itself.
pub trait Console: Sync {
    /// Write these bytes.
    fn write_bytes(&self, bytes: &[u8]);
}

/// A [`fmt::Write`] adapter over a [`Console`].
pub struct Writer<'a, C: ?Sized>(pub &'a C);

impl<C: Console + ?Sized> fmt::Write for Writer<'_, C> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.write_bytes(s.as_bytes());
        Ok(())
    }
}

/// Print formatted text on `console`: `print(c, format_args!("...\n"))`.
pub fn print<C: Console + ?Sized>(console: &C, args: fmt::Arguments<'_>) {
    // Writer never fails.
    let _ = fmt::Write::write_fmt(&mut Writer(console), args);
}

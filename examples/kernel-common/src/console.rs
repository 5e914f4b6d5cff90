//! Kernel messages onto a byte sink (a UART, or a test buffer).
//!
//! Each kernel implements [`Console`] for its serial port once; the shared
//! code prints through [`print`], which formats into a line-sized buffer
//! on the stack, so a message normally reaches the port in one
//! [`Console::write_bytes`]: whole, even when several CPUs print at once
//! (a kernel's console serialises each write under a [`WriteLock`]).

use core::fmt;

use ldex_core::sync::{Interrupts, SpinLock};

/// Somewhere kernel text goes. Writes are whole and in order; a kernel with
/// several CPUs serialises them itself.
pub trait Console: Sync {
    /// Write these bytes.
    fn write_bytes(&self, bytes: &[u8]);
}

/// The lock behind a kernel's console: held, with interrupts off (`I` is
/// the kernel's arch), for one whole [`Console::write_bytes`], so that two
/// CPUs, or a system call preempted in the kernel, never split each
/// other's lines. A kernel keeps one in a `static` beside its port.
///
/// A kernel's panic path may write its port without the lock: a fault
/// taken while a write holds it (a copy from user memory the kernel got
/// wrong faults right there) must still print its panic, and nothing runs
/// after it to interleave with.
pub struct WriteLock<I: Interrupts>(SpinLock<(), I>);

impl<I: Interrupts> WriteLock<I> {
    /// A free lock.
    pub const fn new() -> Self {
        WriteLock(SpinLock::new(()))
    }

    /// Run `put`, one whole write to the port, under the lock.
    pub fn write(&self, put: impl FnOnce()) {
        let _whole = self.0.lock();
        put();
    }
}

impl<I: Interrupts> Default for WriteLock<I> {
    fn default() -> Self {
        Self::new()
    }
}

/// A [`fmt::Write`] adapter over a [`Console`], one write per piece.
pub struct Writer<'a, C: ?Sized>(pub &'a C);

impl<C: Console + ?Sized> fmt::Write for Writer<'_, C> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.write_bytes(s.as_bytes());
        Ok(())
    }
}

/// Bytes [`print`] gathers before it writes: a long kernel line. A longer
/// message goes out in pieces of this size.
const LINE: usize = 192;

/// [`print`]'s buffer over a [`Console`].
struct Gather<'a, C: ?Sized> {
    console: &'a C,
    buf: [u8; LINE],
    len: usize,
}

impl<C: Console + ?Sized> Gather<'_, C> {
    fn flush(&mut self) {
        if self.len > 0 {
            self.console.write_bytes(&self.buf[..self.len]);
            self.len = 0;
        }
    }
}

impl<C: Console + ?Sized> fmt::Write for Gather<'_, C> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for piece in s.as_bytes().chunks(LINE) {
            if self.len + piece.len() > LINE {
                self.flush();
            }
            self.buf[self.len..self.len + piece.len()].copy_from_slice(piece);
            self.len += piece.len();
        }
        Ok(())
    }
}

/// Print formatted text on `console`: `print(c, format_args!("...\n"))`.
pub fn print<C: Console + ?Sized>(console: &C, args: fmt::Arguments<'_>) {
    let mut out = Gather {
        console,
        buf: [0; LINE],
        len: 0,
    };
    // Gather never fails.
    let _ = fmt::Write::write_fmt(&mut out, args);
    out.flush();
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::format;
    use std::sync::Mutex;
    use std::vec::Vec;

    struct Log(Mutex<Vec<Vec<u8>>>);

    impl Console for Log {
        fn write_bytes(&self, bytes: &[u8]) {
            self.0.lock().unwrap().push(bytes.to_vec());
        }
    }

    #[test]
    fn a_formatted_line_reaches_the_console_in_one_write() {
        let log = Log(Mutex::new(Vec::new()));
        print(
            &log,
            format_args!("[pid {} {}] exit {}\n", 3, "spinner-2", 0),
        );
        assert_eq!(
            *log.0.lock().unwrap(),
            [b"[pid 3 spinner-2] exit 0\n".to_vec()]
        );
    }

    #[test]
    fn a_message_longer_than_a_line_goes_out_whole_in_pieces() {
        let log = Log(Mutex::new(Vec::new()));
        let long = "x".repeat(LINE * 2 + 5);
        print(&log, format_args!("{long}!"));
        let writes = log.0.lock().unwrap();
        assert!(writes.iter().all(|w| w.len() <= LINE));
        assert_eq!(writes.concat(), format!("{long}!").into_bytes());
    }
}

//! Formatted output, one `write` system call per line.
//!
//! Under a preemptive kernel a process can lose the CPU between two system
//! calls, so text written piecemeal interleaves with other processes'. The
//! macros format into a line buffer on the stack and write it whole (a line
//! longer than the buffer goes out in buffer-sized pieces).

use core::fmt;

use abi::fd;

use crate::sys;

const LINE: usize = 256;

/// A line buffer that flushes to `fd`.
pub struct LineWriter {
    fd: usize,
    buf: [u8; LINE],
    len: usize,
}

impl LineWriter {
    /// An empty buffer for `fd`.
    pub const fn new(fd: usize) -> LineWriter {
        LineWriter {
            fd,
            buf: [0; LINE],
            len: 0,
        }
    }

    /// Write out what is buffered.
    pub fn flush(&mut self) {
        if self.len > 0 {
            // Output errors have nowhere to go.
            let _ = sys::write(self.fd, &self.buf[..self.len]);
            self.len = 0;
        }
    }
}

impl fmt::Write for LineWriter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for &b in s.as_bytes() {
            if self.len == LINE {
                self.flush();
            }
            self.buf[self.len] = b;
            self.len += 1;
        }
        Ok(())
    }
}

/// Format `args` onto `fd` with one `write` (for lines up to 256 bytes).
pub fn print_to(fd: usize, args: fmt::Arguments<'_>) {
    let mut w = LineWriter::new(fd);
    // LineWriter never fails.
    let _ = fmt::Write::write_fmt(&mut w, args);
    w.flush();
}

/// Standard output's descriptor, for the macros.
pub const STDOUT: usize = fd::STDOUT;
/// Standard error's descriptor, for the macros.
pub const STDERR: usize = fd::STDERR;

/// Print to standard output.
#[macro_export]
macro_rules! print {
    ($($arg:tt)*) => { $crate::print::print_to($crate::print::STDOUT, format_args!($($arg)*)) };
}

/// Print a line to standard output, with one `write`.
#[macro_export]
macro_rules! println {
    ($($arg:tt)*) => { $crate::print::print_to($crate::print::STDOUT, format_args!("{}\n", format_args!($($arg)*))) };
}

/// Print a line to standard error, with one `write`.
#[macro_export]
macro_rules! eprintln {
    ($($arg:tt)*) => { $crate::print::print_to($crate::print::STDERR, format_args!("{}\n", format_args!($($arg)*))) };
}

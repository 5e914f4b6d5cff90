//! Console input: the ring buffer between the UART's receive interrupt and
//! `read(0, ..)`.
//!
//! The interrupt handler ([`ExampleOs`](super::ExampleOs)'s `Os::interrupt`)
//! [`push`](Input::push)es each byte the UART received and wakes
//! [`STDIN`]'s sleepers; `read` [`take`](Input::take)s what is buffered, or
//! answers `SyscallAction::Sleep` on [`STDIN`] when nothing is. The buffer
//! holds [`CAPACITY`] bytes: a byte that arrives when it is full is dropped
//! and counted ([`Input::dropped`]), never written over older input.
//!
//! A `^D` (0x04) byte is end of file, as a terminal's: `read` returns the
//! bytes before it, and a `read` that finds it first returns 0 and consumes
//! it. `cargo xtask qemu` sends one when its own standard input ends.
//!
//! The lock is a [`SpinLock`] with interrupts off while held, so the
//! interrupt handler never finds it taken on its own CPU.

use ldex_core::sync::{Interrupts, SpinLock};
use ldex_core::syscall::WaitChannel;

/// How many bytes wait for a reader at most.
pub const CAPACITY: usize = 256;
/// End of file (`^D`), as a terminal sends it.
pub const EOF: u8 = 0x04;
/// The wait channel of a reader of fd 0.
pub const STDIN: WaitChannel = WaitChannel(0);

/// The buffered bytes, oldest at `head`.
struct Ring {
    bytes: [u8; CAPACITY],
    head: usize,
    len: usize,
    dropped: usize,
}

/// The console's input buffer.
pub struct Input<I: Interrupts> {
    ring: SpinLock<Ring, I>,
}

impl<I: Interrupts> Input<I> {
    /// An empty buffer, for a `static`.
    pub const fn new() -> Self {
        Input {
            ring: SpinLock::new(Ring {
                bytes: [0; CAPACITY],
                head: 0,
                len: 0,
                dropped: 0,
            }),
        }
    }

    /// Buffer `byte`; `false` (and counted) if the buffer is full.
    pub fn push(&self, byte: u8) -> bool {
        let mut r = self.ring.lock();
        if r.len == CAPACITY {
            r.dropped += 1;
            return false;
        }
        let at = (r.head + r.len) % CAPACITY;
        r.bytes[at] = byte;
        r.len += 1;
        true
    }

    /// Is anything buffered (bytes or an end of file)?
    pub fn is_empty(&self) -> bool {
        self.ring.lock().len == 0
    }

    /// Move up to `out.len()` buffered bytes into `out`, stopping before an
    /// [`EOF`]; an `EOF` found first is consumed and gives `Some(0)`.
    /// `None` when nothing is buffered.
    pub fn take(&self, out: &mut [u8]) -> Option<usize> {
        let mut r = self.ring.lock();
        if r.len == 0 {
            return None;
        }
        if r.bytes[r.head] == EOF {
            r.head = (r.head + 1) % CAPACITY;
            r.len -= 1;
            return Some(0);
        }
        let mut n = 0;
        while n < out.len() && r.len > 0 && r.bytes[r.head] != EOF {
            out[n] = r.bytes[r.head];
            r.head = (r.head + 1) % CAPACITY;
            r.len -= 1;
            n += 1;
        }
        Some(n)
    }

    /// Bytes dropped because the buffer was full.
    pub fn dropped(&self) -> usize {
        self.ring.lock().dropped
    }
}

impl<I: Interrupts> Default for Input<I> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use ldex_core::sync::NoInterrupts;

    use super::*;

    #[test]
    fn take_returns_bytes_in_arrival_order_up_to_the_buffer_given() {
        let input = Input::<NoInterrupts>::new();
        for &b in b"hello" {
            assert!(input.push(b));
        }
        let mut out = [0u8; 3];
        assert_eq!(input.take(&mut out), Some(3));
        assert_eq!(&out, b"hel");
        assert_eq!(input.take(&mut out), Some(2));
        assert_eq!(&out[..2], b"lo");
        assert_eq!(input.take(&mut out), None);
    }

    #[test]
    fn a_full_buffer_drops_and_counts_new_bytes_keeping_the_old() {
        let input = Input::<NoInterrupts>::new();
        for i in 0..CAPACITY + 5 {
            input.push(i as u8 | 0x80);
        }
        assert_eq!(input.dropped(), 5);
        let mut out = [0u8; CAPACITY];
        assert_eq!(input.take(&mut out), Some(CAPACITY));
        assert_eq!(out[0], 0x80);
        assert_eq!(out[CAPACITY - 1], (CAPACITY - 1) as u8 | 0x80);
    }

    #[test]
    fn end_of_file_ends_a_read_and_then_reads_as_zero_once() {
        let input = Input::<NoInterrupts>::new();
        for &b in b"ab\x04c" {
            input.push(b);
        }
        let mut out = [0u8; 8];
        assert_eq!(input.take(&mut out), Some(2));
        assert_eq!(input.take(&mut out), Some(0));
        assert_eq!(input.take(&mut out), Some(1));
        assert!(input.is_empty());
    }
}

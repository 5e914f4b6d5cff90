//! Per-process kernel stacks.
//!
//! Every process owns one kernel stack. Its top holds the process's
//! [`TrapFrame`](crate::TrapFrame) (the arch's entry code saves the user
//! registers there on every trap from user mode); below it run the trap
//! handler, the system calls and, when the process is switched away from,
//! the frames of `sched`. See [`arch`](crate::arch) for the map.

use core::mem::{align_of, offset_of, size_of};

use static_assertions::const_assert_eq;

/// A kernel stack of `SIZE` bytes, 16-byte aligned.
#[repr(C, align(16))]
pub struct KernelStack<const SIZE: usize> {
    bytes: [u8; SIZE],
}

// The arch entry code relies on these: the stack starts at the struct's
// address, its top is 16-byte aligned, and it has no header or padding.
const_assert_eq!(offset_of!(KernelStack<4096>, bytes), 0);
const_assert_eq!(align_of::<KernelStack<4096>>(), 16);
const_assert_eq!(size_of::<KernelStack<4096>>(), 4096);

impl<const SIZE: usize> KernelStack<SIZE> {
    /// A zeroed stack (it lands in `.bss` inside a `static`).
    pub const fn new() -> Self {
        KernelStack { bytes: [0; SIZE] }
    }

    /// The (exclusive) top of the stack at `this`.
    pub fn top(this: *mut Self) -> *mut u8 {
        this.cast::<u8>().wrapping_add(SIZE)
    }

    /// Where the trap frame of type `F` sits: the top `size_of::<F>()` bytes.
    pub fn frame<F>(this: *mut Self) -> *mut F {
        const {
            assert!(
                size_of::<F>().is_multiple_of(16),
                "a trap frame's size must be a multiple of 16"
            )
        };
        const {
            assert!(
                size_of::<F>() < SIZE / 2,
                "the kernel stack is too small for its trap frame"
            )
        };
        Self::top(this).wrapping_sub(size_of::<F>()).cast::<F>()
    }
}

impl<const SIZE: usize> Default for KernelStack<SIZE> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[repr(C)]
    struct Frame([u64; 4]);

    #[test]
    fn trap_frame_sits_at_the_top_and_keeps_16_byte_alignment() {
        let mut s = KernelStack::<256>::new();
        let p: *mut KernelStack<256> = &mut s;
        let top = KernelStack::top(p) as usize;
        let f = KernelStack::frame::<Frame>(p) as usize;
        assert_eq!(top - f, 32);
        assert_eq!(top % 16, 0);
        assert_eq!(f % 16, 0);
    }
}

//! Per-process kernel stacks.
//!
//! Every process owns one kernel stack. Its top holds the process's
//! [`TrapFrame`](crate::TrapFrame) (the arch's entry code saves the user
//! registers there on every trap from user mode); below it run the trap
//! handler, the system calls and, when the process is switched away from,
//! the frames of `sched`. See [`arch`](crate::arch) for the map.
//!
//! The stacks of a kernel live in their own [`KernelStacks`], apart from
//! the [`Kernel`](crate::Kernel): they are all zero, so a `static` of them
//! lands in `.bss` and costs nothing in the ELF file, while the kernel
//! (whose fields are not all zero) goes to `.data`.

use core::cell::UnsafeCell;
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

/// The kernel stacks of a kernel with `N` process slots, `SIZE` bytes each:
/// slot `i` runs on stack `i`. All zero, so a `static` of them is `.bss`.
///
/// Boot code declares one as a `static` and hands it to
/// [`Kernel::new`](crate::Kernel::new):
///
/// ```ignore
/// static STACKS: KernelStacks<64, 16384> = KernelStacks::new();
/// static KERNEL: Kernel<MyArch, MyPolicy, MyOs, 64, 16384> =
///     Kernel::new(config, policy, os, &STACKS);
/// ```
#[repr(C)]
pub struct KernelStacks<const N: usize, const SIZE: usize> {
    stacks: [UnsafeCell<KernelStack<SIZE>>; N],
}

// SAFETY: a stack is only touched by the process of its slot, or by the
// kernel while that slot is not running (the kernel's slot protocol); the
// storage itself hands out raw pointers only.
unsafe impl<const N: usize, const SIZE: usize> Sync for KernelStacks<N, SIZE> {}

impl<const N: usize, const SIZE: usize> KernelStacks<N, SIZE> {
    /// `N` zeroed stacks (in `.bss` inside a `static`).
    pub const fn new() -> Self {
        KernelStacks {
            stacks: [const { UnsafeCell::new(KernelStack::new()) }; N],
        }
    }

    /// `N` zeroed stacks on the heap, without building them on the stack
    /// first: the allocator's zeroed memory is a valid value, and large
    /// zeroed allocations are mapped lazily by hosted allocators.
    #[cfg(feature = "alloc")]
    pub fn new_boxed() -> alloc::boxed::Box<Self> {
        let layout = core::alloc::Layout::new::<Self>();
        if layout.size() == 0 {
            return alloc::boxed::Box::new(Self::new());
        }
        // SAFETY: the layout has a non-zero size (checked above).
        let raw = unsafe { alloc::alloc::alloc_zeroed(layout) }.cast::<Self>();
        if raw.is_null() {
            alloc::alloc::handle_alloc_error(layout);
        }
        // SAFETY: `raw` is a fresh allocation of `Self`'s layout, and all
        // zero bytes are a valid `Self` (bytes in cells, no padding rules).
        unsafe { alloc::boxed::Box::from_raw(raw) }
    }

    /// Stack `index`.
    ///
    /// # Panics
    /// If `index >= N`.
    pub fn get(&self, index: usize) -> *mut KernelStack<SIZE> {
        self.stacks[index].get()
    }

    /// The address range of each stack, in slot order.
    pub fn ranges(&self) -> impl Iterator<Item = core::ops::Range<usize>> + '_ {
        self.stacks.iter().map(|s| {
            let base = s.get() as usize;
            base..base + SIZE
        })
    }
}

impl<const N: usize, const SIZE: usize> Default for KernelStacks<N, SIZE> {
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

    #[test]
    fn kernel_stacks_are_contiguous_and_in_slot_order() {
        static STACKS: KernelStacks<3, 256> = KernelStacks::new();
        let ranges: [_; 3] = core::array::from_fn(|i| STACKS.ranges().nth(i).unwrap());
        assert_eq!(ranges[0].end, ranges[1].start);
        assert_eq!(ranges[1].end, ranges[2].start);
        assert_eq!(STACKS.get(1) as usize, ranges[1].start);
        assert_eq!(ranges[0].start % 16, 0);
    }

    #[test]
    fn a_static_of_kernel_stacks_is_all_zero_so_it_goes_to_bss() {
        static STACKS: KernelStacks<2, 64> = KernelStacks::new();
        // SAFETY: nothing else uses this static; reading its bytes is fine.
        let bytes = unsafe {
            core::slice::from_raw_parts(
                (&raw const STACKS).cast::<u8>(),
                size_of::<KernelStacks<2, 64>>(),
            )
        };
        assert!(bytes.iter().all(|&b| b == 0));
    }
}

//! Physical page frames: a bump allocator over free RAM.
//!
//! Free RAM is what lies between the end of the kernel image and the first
//! thing QEMU put above it (the initrd or the device tree), so neither is
//! ever handed out. Frames are never freed: the example kernel runs a fixed
//! set of programs once, and the allocator stays trivially correct. A kernel
//! that runs programs for ever would put a free list here.

use core::ops::Range;

use ldex_core::sync::SpinLock;

/// The page size.
pub const PAGE: usize = 4096;

static FREE: SpinLock<Range<usize>> = SpinLock::new(0..0);

/// Hand the allocator `[start, end)`, page-aligned inward.
pub fn init(free: Range<usize>) {
    *FREE.lock() = free.start.next_multiple_of(PAGE)..free.end & !(PAGE - 1);
}

/// A zeroed frame's physical address, or `None` when RAM is used up.
pub fn alloc() -> Option<usize> {
    let frame = {
        let mut free = FREE.lock();
        if free.end - free.start < PAGE {
            return None;
        }
        let f = free.start;
        free.start += PAGE;
        f
    };
    // SAFETY: the frame is free RAM, identity-mapped, and now ours alone.
    unsafe { core::ptr::write_bytes(frame as *mut u8, 0, PAGE) };
    Some(frame)
}

/// How many frames are left.
pub fn remaining() -> usize {
    let free = FREE.lock();
    (free.end - free.start) / PAGE
}

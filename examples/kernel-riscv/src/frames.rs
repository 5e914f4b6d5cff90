//! Physical page frames: a bump allocator over free RAM, and a list of the
//! frames `munmap` and `brk` gave back.
//!
//! Free RAM is what lies between the end of the kernel image and the first
//! thing QEMU put above it (the initrd or the device tree), so neither is
//! ever handed out.

use core::ops::Range;

use ldex_core::sync::SpinLock;

/// The page size.
pub const PAGE: usize = 4096;

static FREE: SpinLock<Range<usize>> = SpinLock::new(0..0);
/// The freed frames: the first one (each holds the next one's address in
/// its first word, and 0 ends the list) and how many there are.
static FREED: SpinLock<(usize, usize)> = SpinLock::new((0, 0));

/// Hand the allocator `[start, end)`, page-aligned inward.
pub fn init(free: Range<usize>) {
    *FREE.lock() = free.start.next_multiple_of(PAGE)..free.end & !(PAGE - 1);
}

/// Give back `frame`, which nothing maps or uses any more.
pub fn free(frame: usize) {
    let mut freed = FREED.lock();
    // SAFETY: the frame is identity-mapped RAM and ours alone (the caller's
    // contract): its first word links the list.
    unsafe { (frame as *mut usize).write(freed.0) };
    *freed = (frame, freed.1 + 1);
}

/// A zeroed frame's physical address, or `None` when RAM is used up.
pub fn alloc() -> Option<usize> {
    let frame = {
        let mut freed = FREED.lock();
        if freed.0 != 0 {
            let f = freed.0;
            // SAFETY: a frame linked by `free`, identity-mapped.
            *freed = (unsafe { (f as *const usize).read() }, freed.1 - 1);
            f
        } else {
            drop(freed);
            let mut free = FREE.lock();
            if free.end - free.start < PAGE {
                return None;
            }
            let f = free.start;
            free.start += PAGE;
            f
        }
    };
    // SAFETY: the frame is free RAM, identity-mapped, and now ours alone.
    unsafe { core::ptr::write_bytes(frame as *mut u8, 0, PAGE) };
    Some(frame)
}

/// How many frames are left: never handed out, or given back.
pub fn remaining() -> usize {
    let free = FREE.lock();
    (free.end - free.start) / PAGE + FREED.lock().1
}

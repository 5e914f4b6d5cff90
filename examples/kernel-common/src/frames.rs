//! Physical page frames: one bump allocator over free RAM, for both
//! example kernels.
//!
//! Boot code hands it the RAM nothing else uses ([`init`]), minus one range
//! it must skip (the initrd, where QEMU put it), and says where the kernel
//! reaches physical memory: at the same address (RISC-V, identity-mapped)
//! or at a fixed offset (x86_64, the direct map). [`alloc`] returns zeroed
//! frames by physical address; [`free`] takes one back (`munmap`, `brk`, a
//! reaped process's address space) onto a list threaded through the free
//! frames themselves, which `alloc` empties first. [`count`] says how many
//! are free, so a kernel can show that every frame came back.

use core::ops::Range;

use ldex_core::sync::SpinLock;

/// The frame size.
pub const PAGE: u64 = 4096;

struct Free {
    next: u64,
    end: u64,
    skip: Range<u64>,
    /// Added to a physical address to reach it.
    offset: u64,
    /// The first given-back frame: its first 8 bytes hold the next one's
    /// physical address, and 0 ends the list (frame 0 is never RAM here).
    freed: u64,
    /// How many frames that list holds.
    freed_count: u64,
}

static FREE: SpinLock<Free> = SpinLock::new(Free {
    next: 0,
    end: 0,
    skip: 0..0,
    offset: 0,
    freed: 0,
    freed_count: 0,
});

/// Hand out the frames of `ram` (page-aligned inward) that do not overlap
/// `skip`, reached at `physical + offset`.
///
/// # Safety
/// Every byte of `ram` outside `skip` is RAM that nothing else uses or will
/// use, and the kernel can write it at its physical address plus `offset`
/// for the rest of its life.
pub unsafe fn init(ram: Range<u64>, skip: Range<u64>, offset: u64) {
    *FREE.lock() = Free {
        next: ram.start.next_multiple_of(PAGE),
        end: ram.end & !(PAGE - 1),
        skip,
        offset,
        freed: 0,
        freed_count: 0,
    };
}

/// Give back `frame`, from [`alloc`].
///
/// # Safety
/// Nothing maps or uses `frame` any more, and it is not on the list
/// already.
pub unsafe fn free(frame: u64) {
    let mut free = FREE.lock();
    // SAFETY: the frame is RAM reached at `frame + offset` (`init`'s
    // contract) that nobody else uses (ours): its first word links the list.
    unsafe { ((frame + free.offset) as *mut u64).write_unaligned(free.freed) };
    free.freed = frame;
    free.freed_count += 1;
}

/// How many frames [`alloc`] can still hand out.
pub fn count() -> u64 {
    let free = FREE.lock();
    let span = free.end.saturating_sub(free.next);
    let skipped = free
        .skip
        .end
        .min(free.end)
        .saturating_sub(free.skip.start.max(free.next));
    span.saturating_sub(skipped) / PAGE + free.freed_count
}

/// A zeroed frame's physical address, or `None` when RAM is used up.
pub fn alloc() -> Option<u64> {
    let (frame, offset) = {
        let mut free = FREE.lock();
        if free.freed != 0 {
            let frame = free.freed;
            // SAFETY: a frame `free` linked, reached at `frame + offset`.
            free.freed = unsafe { ((frame + free.offset) as *const u64).read_unaligned() };
            free.freed_count -= 1;
            (frame, free.offset)
        } else {
            loop {
                let frame = free.next;
                if frame + PAGE > free.end {
                    return None;
                }
                free.next += PAGE;
                if frame < free.skip.end && free.skip.start < frame + PAGE {
                    free.next = free.skip.end.next_multiple_of(PAGE);
                    continue;
                }
                break (frame, free.offset);
            }
        }
    };
    // SAFETY: the frame is free RAM reached at `frame + offset` (`init`'s
    // contract), and now ours alone.
    unsafe { core::ptr::write_bytes((frame + offset) as *mut u8, 0, PAGE as usize) };
    Some(frame)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One test owns the global allocator: RAM is a host buffer of 4
    /// frames, reached at `buffer - 0x1000` for physical 0x1000..0x5000.
    #[test]
    fn frames_are_zeroed_aligned_skip_the_reserved_range_run_out_and_come_back() {
        #[repr(align(4096))]
        struct Ram([u8; 4 * 4096]);
        let ram = std::boxed::Box::leak(std::boxed::Box::new(Ram([0xaa; 4 * 4096])));
        let offset = ram.0.as_mut_ptr() as u64 - 0x1000;
        // SAFETY: the leaked buffer is ours for the rest of the test run.
        unsafe { init(0x0800..0x5000, 0x2100..0x2200, offset) };
        assert_eq!(count(), 3);
        assert_eq!(alloc(), Some(0x1000));
        assert_eq!(alloc(), Some(0x3000), "0x2000 holds the skipped range");
        assert_eq!(alloc(), Some(0x4000));
        assert_eq!(alloc(), None);
        assert!(ram.0[..4096].iter().all(|&b| b == 0));
        assert!(ram.0[4096..8192].iter().all(|&b| b == 0xaa));
        assert!(ram.0[8192..].iter().all(|&b| b == 0));
        assert_eq!(count(), 0);
        ram.0[0x2000..0x3000].fill(0x55);
        // SAFETY: frames 0x1000 and 0x3000 were handed out above and are
        // no longer used.
        unsafe { (free(0x1000), free(0x3000)) };
        assert_eq!(count(), 2);
        assert_eq!(alloc(), Some(0x3000), "the last one given back first");
        assert!(
            ram.0[0x2000..0x3000].iter().all(|&b| b == 0),
            "zeroed again"
        );
        assert_eq!(alloc(), Some(0x1000));
        assert_eq!((alloc(), count()), (None, 0));
    }
}

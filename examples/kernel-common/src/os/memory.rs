//! The memory calls: `brk`, `mmap`, `munmap`, `mprotect`, `madvise`.
//!
//! A process's user half, as these calls see it:
//!
//! ```text
//!   Platform::USER.start                                  Platform::USER.end
//!   | program (ELF) | HEAP: start .. break .. end | MMAP: first fit | stack |
//! ```
//!
//! * The break starts at `HEAP.start` and moves within `HEAP`; `brk`
//!   maps or unmaps whole pages between the old and the new break, and
//!   answers with the break it ended at (the old one when it could not
//!   move), as Linux does. The break of each process is one word of
//!   [`Breaks`], reset when the process ends.
//! * `mmap` without `MAP_FIXED` takes the lowest free run of pages of
//!   `MMAP` (its hint first, if that run is free); with `MAP_FIXED` any
//!   page-aligned range of `USER`, replacing what was there. Only anonymous
//!   mappings exist (there are no files), private or shared (the same
//!   thing without `fork`), zero-filled.
//! * The rights (`PROT_*`) go into the page tables: a write to a read-only
//!   page or a jump into a non-executable one faults.
//!
//! Each call runs with interrupts off ([`uninterrupted`]): it edits the
//! current page table and takes the frame allocator's lock, and a switch in
//! the middle would let another process find that lock held.
//!
//! Out of memory is an answer, never a kill: `brk` stays where it was,
//! `mmap` returns `-ENOMEM` and unmaps what it had mapped.

use core::sync::atomic::{AtomicUsize, Ordering};

use abi::errno::{EEXIST, EINVAL, ENOMEM};
use abi::mman::{MAP_ANONYMOUS, MAP_FIXED, MAP_FIXED_NOREPLACE};
use ldex_core::syscall::errno;
use ldex_core::{Arch, Pid};

use super::{Platform, Prot};

/// The page size of both example kernels.
pub const PAGE: usize = 4096;

/// Every process's current break; 0 stands for `HEAP.start` (a process
/// that never called `brk`, or a slot whose process ended).
pub struct Breaks<const N: usize>([AtomicUsize; N]);

impl<const N: usize> Default for Breaks<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> Breaks<N> {
    /// No process has moved its break.
    pub const fn new() -> Self {
        Breaks([const { AtomicUsize::new(0) }; N])
    }

    fn get(&self, pid: Pid, start: usize) -> usize {
        match self.0[pid.index()].load(Ordering::Relaxed) {
            0 => start,
            b => b,
        }
    }

    fn set(&self, pid: Pid, brk: usize) {
        self.0[pid.index()].store(brk, Ordering::Relaxed);
    }

    /// Forget the break of `pid`, which ended.
    pub fn reset(&self, pid: Pid) {
        self.set(pid, 0);
    }
}

/// Run `f` with interrupts off, then restore them.
fn uninterrupted<A: Arch, R>(f: impl FnOnce() -> R) -> R {
    let was = A::save_and_disable();
    let r = f();
    A::restore(was);
    r
}

/// `[start, end)` rounded out to pages, if `len > 0` and nothing wraps.
fn pages(start: usize, len: usize) -> Option<(usize, usize)> {
    if len == 0 || !start.is_multiple_of(PAGE) {
        return None;
    }
    let end = start.checked_add(len)?.checked_next_multiple_of(PAGE)?;
    Some((start, end))
}

/// Unmap every page of `[start, end)`.
fn unmap_range<A: Arch, P: Platform<A>>(p: &P, start: usize, end: usize) {
    for page in (start..end).step_by(PAGE) {
        p.unmap(page);
    }
}

/// Map `[start, end)` zero-filled with `prot`, or nothing at all.
fn map_range<A: Arch, P: Platform<A>>(p: &P, start: usize, end: usize, prot: Prot) -> bool {
    for page in (start..end).step_by(PAGE) {
        if p.map_zeroed(page, prot).is_err() {
            unmap_range(p, start, page);
            return false;
        }
    }
    true
}

/// `brk(addr)`: move the break to `addr` if it can; the break either way.
pub fn brk<A: Arch, P: Platform<A>, const N: usize>(
    p: &P,
    breaks: &Breaks<N>,
    pid: Pid,
    addr: usize,
) -> usize {
    let heap = P::HEAP;
    let old = breaks.get(pid, heap.start);
    if !heap.contains(&addr) && addr != heap.end {
        return old;
    }
    let (old_top, new_top) = (old.next_multiple_of(PAGE), addr.next_multiple_of(PAGE));
    let moved = uninterrupted::<A, _>(|| {
        if new_top > old_top {
            map_range(p, old_top, new_top, Prot::READ_WRITE)
        } else {
            unmap_range(p, new_top, old_top);
            true
        }
    });
    if !moved {
        return old;
    }
    breaks.set(pid, addr);
    addr
}

/// The lowest run of `len` free bytes in `P::MMAP`, trying `hint` first.
fn find_free<A: Arch, P: Platform<A>>(p: &P, hint: usize, len: usize) -> Option<usize> {
    let area = P::MMAP;
    let free = |start: usize| (start..start + len).step_by(PAGE).all(|pg| !p.mapped(pg));
    if hint.is_multiple_of(PAGE)
        && hint >= area.start
        && hint.checked_add(len)? <= area.end
        && free(hint)
    {
        return Some(hint);
    }
    let mut start = area.start;
    let mut run = 0;
    let mut page = area.start;
    while page < area.end {
        if p.mapped(page) {
            start = page + PAGE;
            run = 0;
        } else {
            run += PAGE;
            if run >= len {
                return Some(start);
            }
        }
        page += PAGE;
    }
    None
}

/// `mmap(addr, len, prot, flags, fd, offset)`, anonymous only.
pub fn mmap<A: Arch, P: Platform<A>>(
    p: &P,
    addr: usize,
    len: usize,
    prot: usize,
    flags: usize,
) -> usize {
    if flags & MAP_ANONYMOUS == 0 {
        // No files: every descriptor is the console, which cannot be mapped.
        return errno::ret(abi::errno::ENODEV);
    }
    let Some(len) = len
        .checked_next_multiple_of(PAGE)
        .filter(|&l| l > 0 && l <= P::USER.end - P::USER.start)
    else {
        return errno::ret(if len == 0 { EINVAL } else { ENOMEM });
    };
    let prot = Prot::from_bits(prot);
    uninterrupted::<A, _>(|| {
        let start = if flags & (MAP_FIXED | MAP_FIXED_NOREPLACE) != 0 {
            let Some((start, end)) = pages(addr, len) else {
                return errno::ret(EINVAL);
            };
            if start < P::USER.start || end > P::USER.end {
                return errno::ret(ENOMEM);
            }
            if flags & MAP_FIXED == 0 && (start..end).step_by(PAGE).any(|pg| p.mapped(pg)) {
                return errno::ret(EEXIST);
            }
            start
        } else {
            match find_free(p, addr, len) {
                Some(start) => start,
                None => return errno::ret(ENOMEM),
            }
        };
        if map_range(p, start, start + len, prot) {
            start
        } else {
            errno::ret(ENOMEM)
        }
    })
}

/// `munmap(addr, len)`: unmap whatever of the range is mapped.
pub fn munmap<A: Arch, P: Platform<A>>(p: &P, addr: usize, len: usize) -> usize {
    match pages(addr, len) {
        Some((start, end)) if start >= P::USER.start && end <= P::USER.end => {
            uninterrupted::<A, _>(|| unmap_range(p, start, end));
            0
        }
        _ => errno::ret(EINVAL),
    }
}

/// `mprotect(addr, len, prot)`: every page of the range must be mapped
/// (`-ENOMEM` otherwise, and nothing changes).
pub fn mprotect<A: Arch, P: Platform<A>>(p: &P, addr: usize, len: usize, prot: usize) -> usize {
    if len == 0 && addr.is_multiple_of(PAGE) {
        return 0;
    }
    let Some((start, end)) = pages(addr, len) else {
        return errno::ret(EINVAL);
    };
    if start < P::USER.start || end > P::USER.end {
        return errno::ret(ENOMEM);
    }
    let prot = Prot::from_bits(prot);
    uninterrupted::<A, _>(|| {
        if !(start..end).step_by(PAGE).all(|pg| p.mapped(pg)) {
            return errno::ret(ENOMEM);
        }
        for page in (start..end).step_by(PAGE) {
            let _ = p.protect(page, prot);
        }
        0
    })
}

//! Page tables: Sv39 on rv64, Sv32 on rv32, one address space per process.
//!
//! ```text
//!   virtual address space of every process (and of the idle kernel)
//!   0x0000_0000  +------------------------+
//!                | unmapped (null guard)  |
//!   0x0001_0000  | program segments    U  |  from the ELF, R/W/X as it says
//!                | ...                    |
//!   USER_TOP-64K | user stack          U  |  RW
//!   USER_TOP     +------------------------+  0x4000_0000
//!                | unmapped               |
//!   0x8000_0000  | RAM, identity       -  |  G; the image in 4 KiB pages:
//!                |   .text             -  |    RX
//!                |   .rodata           -  |    R
//!                |   .data, .bss       -  |    RW, but each stack's guard
//!                |                        |    page, unmapped
//!                |   frames, initrd... -  |  RW (big leaves past the image)
//!   MMIO_ALIAS   | devices             -  |  physical 0.. moved up by
//!                |                        |  0xC000_0000: RW, G
//!                +------------------------+
//! ```
//!
//! The kernel half is built once ([`AddressSpace::kernel`]) and shared by
//! every address space: a process's root table copies the kernel's root
//! entries above `USER_TOP`, so the tables below them are the same frames
//! everywhere and are never freed. RAM is at its own address and the
//! device region of QEMU virt (the test device at 0x10_0000, the PLIC at
//! 0xc00_0000, the UART at 0x1000_0000) at [`MMIO_ALIAS`] + its physical
//! address, so no device sits among the programs' addresses (a program
//! linked at 0x10000 may be as big as user space). Nothing of the kernel
//! has the U bit, so user mode can neither read, write nor jump there; a
//! user page never lies above `USER_TOP`. Leaves are created with A (and D
//! when writable) already set, so the hart never needs to update them.
//!
//! # The kernel's own W^X
//! No kernel page is both writable and executable: the text is read and
//! execute, the read-only data read only, everything else (data, bss, the
//! stacks, every frame) read and write without execute. So a kernel bug
//! that writes through a wild pointer into its own code faults (the
//! `wx-test` boot), and nothing the kernel writes can be run as kernel
//! code. Where a root-level leaf (1 GiB on Sv39, 4 MiB on Sv32) or a 2 MiB
//! leaf would cover part of the image, it is split down to 4 KiB pages;
//! the rest of RAM keeps big leaves. The guard pages (one under the boot
//! stack, one under each other CPU's scheduler stack, and the lowest page
//! of each process's kernel stack) are left unmapped, so a stack that overflows faults instead of overwriting what
//! lies below (ldex-arch-riscv's trap entry reports it).

use core::ops::Range;
use core::sync::atomic::{AtomicUsize, Ordering};

use ldex_arch_riscv::Satp;

use crate::board::{MMIO_ALIAS, PLIC, TEST_DEVICE, UART};
use kernel_common::frames;
use kernel_common::kernel_image::KernelImage;
use kernel_common::perm::Perm;

cfg_if::cfg_if! {
    if #[cfg(target_arch = "riscv64")] {
        type Pte = u64;
        const LEVELS: usize = 3;
        const VPN_BITS: usize = 9;
    } else {
        type Pte = u32;
        const LEVELS: usize = 2;
        const VPN_BITS: usize = 10;
    }
}

const ENTRIES: usize = 1 << VPN_BITS;
/// The page size.
pub const PAGE: usize = frames::PAGE as usize;
/// The span of one root-level leaf (1 GiB on Sv39, 4 MiB on Sv32).
const ROOT_LEAF: usize = PAGE << (VPN_BITS * (LEVELS - 1));

pub use kernel_common::paged_loader::{USER_BOTTOM, USER_STACK, USER_TOP, VmError};

const V: Pte = 1 << 0;
const R: Pte = 1 << 1;
const W: Pte = 1 << 2;
const X: Pte = 1 << 3;
const U: Pte = 1 << 4;
const G: Pte = 1 << 5;
const A: Pte = 1 << 6;
const D: Pte = 1 << 7;
/// Software bit (RSW) of a `PROT_NONE` page: V is clear, so every access
/// faults, but the page is mapped and keeps its frame for a later
/// `mprotect`. The hart ignores every other bit of an entry without V.
const RESERVED: Pte = 1 << 8;
const PPN_SHIFT: usize = 10;

/// The PTE bits of rights `perm` (R, W, X; W always with R).
const fn perm_bits(perm: Perm) -> Pte {
    let mut bits = 0;
    if perm.contains(Perm::R) {
        bits |= R;
    }
    if perm.contains(Perm::W) {
        bits |= W;
    }
    if perm.contains(Perm::X) {
        bits |= X;
    }
    bits
}

/// The rights a user leaf's R, W and X bits give.
const fn perm_of(pte: Pte) -> Perm {
    let mut perm = Perm::NONE;
    if pte & W != 0 {
        perm = perm.union(Perm::W);
    } else if pte & R != 0 {
        perm = perm.union(Perm::R);
    }
    if pte & X != 0 {
        perm = perm.union(Perm::X);
    }
    perm
}

/// The kernel's root table, built by [`AddressSpace::kernel`]: every
/// process's root copies its entries above `USER_TOP`.
static KERNEL_ROOT: AtomicUsize = AtomicUsize::new(0);

/// Root entries below `USER_TOP`: a process's own; the rest are the
/// kernel's, shared.
const USER_ROOT_ENTRIES: usize = USER_TOP / ROOT_LEAF;

/// One address space: its root table's physical address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AddressSpace {
    root: usize,
}

fn table(pa: usize) -> *mut Pte {
    pa as *mut Pte
}

fn vpn(va: usize, level: usize) -> usize {
    (va >> (12 + VPN_BITS * level)) & (ENTRIES - 1)
}

fn pte_pa(pte: Pte) -> usize {
    ((pte >> PPN_SHIFT) as usize) << 12
}

fn leaf(pa: usize, perm: Pte) -> Pte {
    let dirty = if perm & W != 0 { D } else { 0 };
    (((pa >> 12) as Pte) << PPN_SHIFT) | perm | A | dirty | V
}

/// The entry of a user page at frame `pa` with rights `perm`: a valid leaf,
/// or for no rights at all a [`RESERVED`] entry that keeps the frame.
fn user_entry(pa: usize, perm: Perm) -> Pte {
    if perm == Perm::NONE {
        (((pa >> 12) as Pte) << PPN_SHIFT) | RESERVED
    } else {
        leaf(pa, perm_bits(perm) | U)
    }
}

/// Free the user entries of table `t` at `level` (0: leaves), then `t`. At
/// the root only the user entries: the rest are the kernel's, shared.
fn free_table(t: usize, level: usize) {
    let entries = if level == LEVELS - 1 {
        USER_ROOT_ENTRIES
    } else {
        ENTRIES
    };
    for i in 0..entries {
        // SAFETY: `t` is one of the space's tables (identity-mapped RAM).
        let pte = unsafe { *table(t).add(i) };
        let is_leaf = pte & (R | W | X) != 0;
        if level == 0 {
            if pte & (V | RESERVED) != 0 {
                // SAFETY: the space is never entered again (`free`'s
                // contract): its pages are nobody's.
                unsafe { frames::free(pte_pa(pte) as u64) };
            }
        } else if pte & V != 0 && !is_leaf {
            free_table(pte_pa(pte), level - 1);
        }
    }
    // SAFETY: as above; the table's entries are done with.
    unsafe { frames::free(t as u64) };
}

/// Drop the hart's cached translation of `va`.
fn flush(va: usize) {
    // SAFETY: only invalidates translations; the tables are already right.
    unsafe { core::arch::asm!("sfence.vma {}, zero", in(reg) va, options(nostack)) };
}

/// A zeroed frame for a page table.
fn alloc_table() -> Result<usize, VmError> {
    frames::alloc()
        .map(|pa| pa as usize)
        .ok_or(VmError::OutOfMemory)
}

/// Map the `level` entry of table `t` that covers `va` (its first
/// address) to the same physical address: one leaf with the rights of RAM
/// where it holds no page of `image`, else a table one level down, to 4
/// KiB pages with each page's rights; `guards` stay unmapped.
fn map_kernel(
    t: usize,
    level: usize,
    va: usize,
    image: &KernelImage,
    guards: &[usize],
) -> Result<(), VmError> {
    // SAFETY: `t` is a table of the kernel space being built
    // (identity-mapped RAM) and `vpn` stays inside it.
    let slot = unsafe { table(t).add(vpn(va, level)) };
    let span = PAGE << (VPN_BITS * level);
    let pte = if level == 0 {
        if guards.contains(&va) {
            0
        } else {
            leaf(va, perm_bits(image.perm(va)) | G)
        }
    } else if !image.overlaps(va, span) {
        leaf(va, R | W | G)
    } else {
        let next = alloc_table()?;
        for i in 0..ENTRIES {
            map_kernel(next, level - 1, va + i * (span / ENTRIES), image, guards)?;
        }
        (((next >> 12) as Pte) << PPN_SHIFT) | V
    };
    // SAFETY: as above.
    unsafe { *slot = pte };
    Ok(())
}

impl AddressSpace {
    /// The kernel's own address space, built once at boot: all of `ram` at
    /// its own address, the image with W^X and its `guards` (page
    /// addresses) unmapped (see the module docs), the devices at
    /// [`MMIO_ALIAS`]. Every later [`AddressSpace::new`] shares it.
    pub fn kernel(
        ram: &Range<usize>,
        image: &KernelImage,
        guards: &[usize],
    ) -> Result<AddressSpace, VmError> {
        let root = alloc_table()?;
        let mut at = ram.start & !(ROOT_LEAF - 1);
        while at < ram.end {
            map_kernel(root, LEVELS - 1, at, image, guards)?;
            at += ROOT_LEAF;
        }
        let space = AddressSpace { root };
        for device in [TEST_DEVICE, PLIC, UART] {
            let pa = device & !(ROOT_LEAF - 1);
            space.set_root_leaf(MMIO_ALIAS + pa, pa, R | W | G);
        }
        KERNEL_ROOT.store(root, Ordering::Relaxed);
        Ok(space)
    }

    /// A new address space: an empty user half and the kernel's entries.
    ///
    /// # Panics
    /// If [`AddressSpace::kernel`] has not run.
    pub fn new() -> Result<AddressSpace, VmError> {
        let kernel = KERNEL_ROOT.load(Ordering::Relaxed);
        assert_ne!(kernel, 0, "the kernel's address space is built first");
        let root = alloc_table()?;
        for i in USER_ROOT_ENTRIES..ENTRIES {
            // SAFETY: both are root tables (identity-mapped frames); only
            // the kernel's entries are copied, into the new, unused root.
            unsafe { *table(root).add(i) = *table(kernel).add(i) };
        }
        Ok(AddressSpace { root })
    }

    /// The `satp` value that selects it.
    pub fn satp(&self) -> Satp {
        // SAFETY: every space holds the kernel half `kernel` built (`new`
        // copies its root entries), `map_user` never touches it, and no
        // kernel table is ever freed.
        unsafe { Satp::new(self.root, 0) }
    }

    /// Map the page at `va` to a frame with `perm | U`, allocating the frame
    /// (zeroed) unless the page is mapped already, in which case its rights
    /// grow by `perm`. Returns the frame's physical address.
    pub fn map_user(&self, va: usize, perm: Perm) -> Result<usize, VmError> {
        let slot = self.walk(va, true)?.ok_or(VmError::OutOfMemory)?;
        // SAFETY: `walk` returned a slot in one of this space's tables.
        let pte = unsafe { *slot };
        if pte & V != 0 {
            // SAFETY: as above.
            unsafe { *slot = leaf(pte_pa(pte), perm_bits(perm_of(pte).union(perm)) | U) };
            return Ok(pte_pa(pte));
        }
        let frame = frames::alloc()
            .map(|pa| pa as usize)
            .ok_or(VmError::OutOfMemory)?;
        // SAFETY: as above.
        unsafe { *slot = leaf(frame, perm_bits(perm) | U) };
        Ok(frame)
    }

    /// The frame behind user page `va` and its rights, if it is a user page.
    pub fn translate(&self, va: usize) -> Option<(usize, Perm)> {
        let slot = self.walk(va, false).ok()??;
        // SAFETY: a slot in one of this space's tables.
        let pte = unsafe { *slot };
        (pte & V != 0 && pte & U != 0).then(|| (pte_pa(pte) + (va & (PAGE - 1)), perm_of(pte)))
    }

    /// Is user page `va` mapped, `PROT_NONE` included?
    pub fn mapped(&self, va: usize) -> bool {
        // SAFETY: a slot in one of this space's tables.
        matches!(self.walk(va, false), Ok(Some(slot)) if unsafe { *slot } & (V | RESERVED) != 0)
    }

    /// Map a zeroed frame at user page `va` with `perm` (none: `PROT_NONE`),
    /// freeing the page there before.
    pub fn map_zeroed(&self, va: usize, perm: Perm) -> Result<(), VmError> {
        self.unmap(va);
        let slot = self.walk(va, true)?.ok_or(VmError::OutOfMemory)?;
        let frame = frames::alloc().ok_or(VmError::OutOfMemory)? as usize;
        // SAFETY: `walk` returned a slot in one of this space's tables.
        unsafe { *slot = user_entry(frame, perm) };
        Ok(())
    }

    /// Unmap user page `va` and free its frame.
    pub fn unmap(&self, va: usize) {
        if let Ok(Some(slot)) = self.walk(va, false) {
            // SAFETY: a slot in one of this space's tables.
            let pte = unsafe { *slot };
            if pte & (V | RESERVED) != 0 {
                // SAFETY: as above.
                unsafe { *slot = 0 };
                flush(va);
                // SAFETY: the only entry that mapped the frame is gone.
                unsafe { frames::free(pte_pa(pte) as u64) };
            }
        }
    }

    /// Give mapped user page `va` the rights `perm`; `false` if unmapped.
    pub fn protect(&self, va: usize, perm: Perm) -> bool {
        let Ok(Some(slot)) = self.walk(va, false) else {
            return false;
        };
        // SAFETY: a slot in one of this space's tables.
        let pte = unsafe { *slot };
        if pte & (V | RESERVED) == 0 {
            return false;
        }
        // SAFETY: as above.
        unsafe { *slot = user_entry(pte_pa(pte), perm) };
        flush(va);
        true
    }

    /// Free every frame of this space, a reaped process's: its user pages,
    /// its tables, its root; the kernel's root-level leaves are not frames.
    /// If it is the one loaded, `kernel` (which maps the kernel the same
    /// way) is loaded first.
    ///
    /// # Safety
    /// Nothing enters this space again, and `kernel` is the kernel's own.
    pub unsafe fn free(self, kernel: Satp) {
        let satp: usize;
        // SAFETY: reading satp has no side effect.
        unsafe { core::arch::asm!("csrr {}, satp", out(reg) satp, options(nomem, nostack)) };
        // SAFETY: the value `satp` holds now maps the running kernel; only
        // its root is read.
        if unsafe { Satp::from_bits(satp) }.root() == self.root {
            // SAFETY: the kernel's space maps RAM and the devices exactly as
            // this one does; only the user half, unused here, goes away.
            unsafe {
                core::arch::asm!("csrw satp, {}", "sfence.vma", in(reg) kernel.bits(), options(nostack))
            };
        }
        free_table(self.root, LEVELS - 1);
    }

    /// The address space `satp` names.
    pub fn from_satp(satp: Satp) -> AddressSpace {
        AddressSpace { root: satp.root() }
    }

    /// Map the root-level page at `va` to `pa` (both `ROOT_LEAF`-aligned).
    fn set_root_leaf(&self, va: usize, pa: usize, perm: Pte) {
        // SAFETY: `root` is this space's root table, an identity-mapped frame.
        unsafe { *table(self.root).add(vpn(va, LEVELS - 1)) = leaf(pa, perm) };
    }

    /// The level-0 slot for `va`, creating tables on the way if `create`.
    /// `Ok(None)`: a table is missing and `create` is false.
    fn walk(&self, va: usize, create: bool) -> Result<Option<*mut Pte>, VmError> {
        // User space only: below the kernel's root-level leaves.
        if va >= USER_TOP {
            return Err(VmError::KernelRange);
        }
        let mut t = self.root;
        for level in (1..LEVELS).rev() {
            // SAFETY: `t` is one of this space's tables (identity-mapped).
            let slot = unsafe { table(t).add(vpn(va, level)) };
            // SAFETY: as above.
            let pte = unsafe { *slot };
            if pte & V == 0 {
                if !create {
                    return Ok(None);
                }
                let next = frames::alloc()
                    .map(|pa| pa as usize)
                    .ok_or(VmError::OutOfMemory)?;
                // SAFETY: as above.
                unsafe { *slot = (((next >> 12) as Pte) << PPN_SHIFT) | V };
                t = next;
            } else if pte & (R | W | X) != 0 {
                return Err(VmError::KernelRange);
            } else {
                t = pte_pa(pte);
            }
        }
        // SAFETY: `t` is a level-0 table of this space.
        Ok(Some(unsafe { table(t).add(vpn(va, 0)) }))
    }
}

//! Physical frames, the kernel's page tables and each process's.
//!
//! ```text
//!   virtual                                   who        what
//!   0x0000_0000_0000_0000 .. 0x0040_0000     kernel     the image (identity, no U, 4 KiB pages:
//!                                                       text RX, rodata R, the rest RW NX; the
//!                                                       stack guard pages unmapped)
//!   0x0000_0000_0040_0000 .. USER_END        user       ELF segments, stack (4 KiB pages, U)
//!   PHYS_OFFSET .. + 4 GiB                   kernel     all physical memory and MMIO (no U, NX;
//!                                                       its first 4 MiB are the image's pages)
//! ```
//!
//! # The kernel's own W^X
//! No kernel page is both writable and executable, and CR0.WP (set by
//! [`crate::boot`]) makes ring 0 obey read-only pages too: the text is
//! read and execute, the read-only data read only and NX, everything else
//! (data, bss, stacks, the direct map) read and write and NX. The direct
//! map's first 4 MiB use the image's own page tables, so the text is not
//! writable through its alias either. So a kernel write through a wild
//! pointer into its code faults (the `wx` boot), and nothing the kernel
//! writes runs as kernel code (where the CPU has NX).
//!
//! User pages are NX unless an ELF segment asks for execute (the stack and
//! data never are), where the CPU has NX. Every address space shares the
//! kernel's entries (the two 2 MiB image pages and PML4[256]); the user
//! half below them is the process's own.
//! Frames come from `kernel_common::frames` over RAM above 4 MiB, skipping
//! the initrd; the kernel reaches them through the direct map. `munmap`,
//! `brk` and a reaped process give theirs back.

use kernel_common::frames;
use kernel_common::os::{OutOfMemory, Prot};
use kernel_common::phys::PhysicalMemory;
use ldex_arch_x86_64::AddressSpace;
use ldex_core::AccessKind;
use ldex_core::sync::SpinLock;
use x86_64::instructions::tlb;
use x86_64::registers::control::{Cr3, Cr3Flags};
use x86_64::registers::model_specific::{Efer, EferFlags};
use x86_64::structures::paging::{PageTable, PageTableFlags as F, PhysFrame};
use x86_64::{PhysAddr, VirtAddr};

use crate::boot::PHYS_OFFSET;

/// Page size.
pub const PAGE: u64 = 4096;
/// The first user address (GNU ld's default for static programs).
pub const USER_START: u64 = 0x40_0000;
/// The end of the user half.
pub const USER_END: u64 = 0x0000_8000_0000_0000;
/// The kernel image occupies the first 4 MiB (two 2 MiB pages).
const KERNEL_IMAGE_PAGES: usize = 2;
const HUGE: u64 = 2 * 1024 * 1024;
/// The end of what the direct map covers: the first 4 GiB.
pub const DIRECT_MAP_END: u64 = 1 << 32;

/// A physical address as the kernel reaches it.
pub fn phys_to_virt(phys: u64) -> *mut u8 {
    (PHYS_OFFSET + phys) as *mut u8
}

/// The first 4 GiB of physical memory, which the direct map covers, as
/// firmware-structure readers see it (the ACPI tables, the PVH memory
/// map): a range that does not end below 4 GiB is refused, not read.
#[derive(Clone, Copy, Debug)]
pub struct DirectMap(());

impl DirectMap {
    /// # Safety
    /// Whatever a reader is pointed at through it below 4 GiB is firmware
    /// memory that nothing writes while it is read (the tables, the memory
    /// map), not device registers, whose reads could have effects.
    pub const unsafe fn new() -> Self {
        DirectMap(())
    }
}

impl PhysicalMemory for DirectMap {
    fn bytes(&self, addr: u64, len: usize) -> Option<&[u8]> {
        let end = addr.checked_add(len as u64)?;
        (end <= DIRECT_MAP_END).then(|| {
            // SAFETY: `addr..end` lies below 4 GiB, which the direct map
            // maps readable for the kernel's whole life; what is there is
            // unwritten firmware memory (our constructor's promise).
            unsafe { core::slice::from_raw_parts(phys_to_virt(addr), len) }
        })
    }
}

static KERNEL_PML4: SpinLock<u64> = SpinLock::new(0);

fn table(phys: u64) -> &'static mut PageTable {
    // SAFETY: page-table frames are only reached through the direct map, by
    // the one CPU, with interrupts off (boot, or the loader before spawn).
    unsafe { &mut *phys_to_virt(phys).cast::<PageTable>() }
}

/// The kernel image's layout (from the linker script): the rights of each
/// of its pages.
#[derive(Clone, Debug)]
pub struct KernelImage {
    /// Code: read and execute.
    pub text: core::ops::Range<u64>,
    /// Constants: read only.
    pub rodata: core::ops::Range<u64>,
}

impl KernelImage {
    /// The leaf flags of the low-memory page at `page` (`nx`: the NX bit,
    /// or none where the CPU has no NX).
    fn flags(&self, page: u64, nx: F) -> F {
        if self.text.contains(&page) {
            F::PRESENT
        } else if self.rodata.contains(&page) {
            F::PRESENT | nx
        } else {
            F::PRESENT | F::WRITABLE | nx
        }
    }
}

/// The kernel's own address space: the image with W^X and its `guards`
/// (stack guard pages inside the image) unmapped, and the direct map, NX,
/// no user half. Built once, then loaded.
pub fn init_kernel_space(image: &KernelImage, guards: &[u64], nx: bool) -> AddressSpace {
    let nx = if nx { F::NO_EXECUTE } else { F::empty() };
    let pml4 = frames::alloc().expect("a frame for the kernel PML4");
    let pdpt = frames::alloc().expect("a frame for the kernel PDPT");
    let pd = frames::alloc().expect("a frame for the kernel PD");
    let kflags = F::PRESENT | F::WRITABLE;
    for i in 0..KERNEL_IMAGE_PAGES {
        let base = i as u64 * HUGE;
        let pt = frames::alloc().expect("a frame for a kernel image page table");
        for (j, entry) in table(pt).iter_mut().enumerate() {
            let page = base + j as u64 * PAGE;
            if !guards.contains(&page) {
                entry.set_addr(PhysAddr::new(page), image.flags(page, nx));
            }
        }
        table(pd)[i].set_addr(PhysAddr::new(pt), kflags);
    }
    table(pdpt)[0].set_addr(PhysAddr::new(pd), kflags);
    table(pml4)[0].set_addr(PhysAddr::new(pdpt), kflags);
    table(pml4)[256].set_addr(PhysAddr::new(direct_map(pd, nx)), kflags);
    // SAFETY: the new tables map the running image and the direct map at
    // the addresses the boot tables did, but for the guard pages, which
    // nothing uses (each lies below the part of its stack in use), and
    // writes to the text, which the kernel never makes.
    unsafe {
        Cr3::write(
            PhysFrame::containing_address(PhysAddr::new(pml4)),
            Cr3Flags::empty(),
        )
    };
    *KERNEL_PML4.lock() = pml4;
    // SAFETY: these tables are the ones loaded now (above), and the kernel
    // never frees them.
    unsafe { AddressSpace::new(pml4) }
}

/// The direct map (4 GiB at [`PHYS_OFFSET`] in 2 MiB pages, read and write,
/// `nx`), whose first 4 MiB share the image's page tables (in `image_pd`)
/// so that its rights hold there too. Returns its PDPT.
fn direct_map(image_pd: u64, nx: F) -> u64 {
    let pdpt = frames::alloc().expect("a frame for the direct map's PDPT");
    for g in 0..4 {
        let pd = frames::alloc().expect("a frame for a direct map PD");
        for (k, entry) in table(pd).iter_mut().enumerate() {
            if g == 0 && k < KERNEL_IMAGE_PAGES {
                *entry = table(image_pd)[k].clone();
            } else {
                let pa = (g * 512 + k) as u64 * HUGE;
                entry.set_addr(
                    PhysAddr::new(pa),
                    F::PRESENT | F::WRITABLE | F::HUGE_PAGE | nx,
                );
            }
        }
        table(pdpt)[g].set_addr(PhysAddr::new(pd), F::PRESENT | F::WRITABLE);
    }
    pdpt
}

/// A new process address space: the kernel's entries and an empty user half.
pub fn new_space() -> Option<AddressSpace> {
    let kernel = *KERNEL_PML4.lock();
    let pml4 = frames::alloc()?;
    let pdpt = frames::alloc()?;
    let pd = frames::alloc()?;
    let kpd = table(table(table(kernel)[0].addr().as_u64())[0].addr().as_u64());
    for i in 0..KERNEL_IMAGE_PAGES {
        table(pd)[i] = kpd[i].clone();
    }
    let inner = F::PRESENT | F::WRITABLE | F::USER_ACCESSIBLE;
    table(pdpt)[0].set_addr(PhysAddr::new(pd), inner);
    table(pml4)[0].set_addr(PhysAddr::new(pdpt), inner);
    table(pml4)[256] = table(kernel)[256].clone();
    // SAFETY: the kernel image and the direct map (entries 0 and 256) are
    // the kernel space's own entries, shared, and no table is ever freed.
    Some(unsafe { AddressSpace::new(pml4) })
}

/// The page tables an AP climbs into long mode on ([`crate::smp`]): the
/// kernel's, but for the low 2 MiB, whose copied page table makes the
/// trampoline's page (`page`, below 1 MiB) read and execute instead of the
/// kernel's read, write and NX. Only the AP's first 64-bit instructions run
/// there; its first act in Rust is to load the kernel's own CR3. Returns
/// the PML4's physical address (below 4 GiB, as 32-bit code loads it).
pub fn trampoline_space(page: u64) -> Option<u64> {
    let kernel = *KERNEL_PML4.lock();
    let pml4 = frames::alloc()?;
    let pdpt = frames::alloc()?;
    let pd = frames::alloc()?;
    let pt = frames::alloc()?;
    let kpd = table(table(table(kernel)[0].addr().as_u64())[0].addr().as_u64());
    for i in 0..KERNEL_IMAGE_PAGES {
        table(pd)[i] = kpd[i].clone();
    }
    let kpt = table(kpd[0].addr().as_u64());
    for (entry, kernel_entry) in table(pt).iter_mut().zip(kpt.iter()) {
        *entry = kernel_entry.clone();
    }
    table(pt)[index(page, 0)].set_addr(PhysAddr::new(page), F::PRESENT);
    let kflags = F::PRESENT | F::WRITABLE;
    table(pd)[0].set_addr(PhysAddr::new(pt), kflags);
    table(pdpt)[0].set_addr(PhysAddr::new(pd), kflags);
    table(pml4)[0].set_addr(PhysAddr::new(pdpt), kflags);
    table(pml4)[256] = table(kernel)[256].clone();
    Some(pml4)
}

fn index(va: u64, level: u32) -> usize {
    ((va >> (12 + 9 * level)) & 0x1ff) as usize
}

/// The leaf entry's physical frame and flags for `va` in `space`, if mapped
/// with a 4 KiB page.
fn lookup(pml4: u64, va: u64) -> Option<(u64, F)> {
    let mut t = pml4;
    for level in (1..4).rev() {
        let e = &table(t)[index(va, level)];
        if !e.flags().contains(F::PRESENT) || e.flags().contains(F::HUGE_PAGE) {
            return None;
        }
        t = e.addr().as_u64();
    }
    let e = &table(t)[index(va, 0)];
    e.flags()
        .contains(F::PRESENT)
        .then(|| (e.addr().as_u64(), e.flags()))
}

/// Map the user page at `va` (if it is not mapped yet) and widen its rights
/// to include `writable` and `executable` (a page two ELF segments share gets
/// the union). Pages nobody asked to execute are NX where the CPU has NX.
/// Returns its frame.
pub fn map_user_page(
    space: AddressSpace,
    va: u64,
    writable: bool,
    executable: bool,
) -> Option<u64> {
    let inner = F::PRESENT | F::WRITABLE | F::USER_ACCESSIBLE;
    let mut t = space.pml4();
    for level in (1..4).rev() {
        let e = &mut table(t)[index(va, level)];
        if !e.flags().contains(F::PRESENT) {
            e.set_addr(PhysAddr::new(frames::alloc()?), inner);
        }
        t = e.addr().as_u64();
    }
    let e = &mut table(t)[index(va, 0)];
    if !e.flags().contains(F::PRESENT) {
        let nx = if nx_enabled() {
            F::NO_EXECUTE
        } else {
            F::empty()
        };
        e.set_addr(
            PhysAddr::new(frames::alloc()?),
            F::PRESENT | F::USER_ACCESSIBLE | nx,
        );
    }
    let mut flags = e.flags();
    if writable {
        flags |= F::WRITABLE;
    }
    if executable {
        flags -= F::NO_EXECUTE;
    }
    e.set_flags(flags);
    Some(e.addr().as_u64())
}

/// Is EFER.NXE on (ldex-arch-x86_64 turns it on where the CPU has NX)?
fn nx_enabled() -> bool {
    Efer::read().contains(EferFlags::NO_EXECUTE_ENABLE)
}

/// Copy `bytes` to user address `va` of `space` (already mapped), through
/// the direct map.
pub fn write_user(space: AddressSpace, mut va: u64, mut bytes: &[u8]) -> bool {
    while !bytes.is_empty() {
        let Some((frame, _)) = lookup(space.pml4(), va & !(PAGE - 1)) else {
            return false;
        };
        let offset = va % PAGE;
        let n = bytes.len().min((PAGE - offset) as usize);
        // SAFETY: the frame is this process's page, reached via the direct map.
        unsafe { phys_to_virt(frame + offset).copy_from_nonoverlapping(bytes.as_ptr(), n) };
        bytes = &bytes[n..];
        va += n as u64;
    }
    true
}

/// Does the current address space let ring 3 `access` every byte of
/// `[addr, addr + len)`? Walks the page tables; stops at the first miss.
pub fn user_allows(addr: usize, len: usize, access: AccessKind) -> bool {
    let (start, end) = (addr as u64, addr as u64 + len as u64);
    if end > USER_END {
        return false;
    }
    let pml4 = Cr3::read().0.start_address().as_u64();
    let mut page = start & !(PAGE - 1);
    while page < end {
        match lookup(pml4, page) {
            Some((_, f)) if f.contains(F::USER_ACCESSIBLE) => {
                if access == AccessKind::Write && !f.contains(F::WRITABLE) {
                    return false;
                }
            }
            _ => return false,
        }
        page += PAGE;
    }
    true
}

/// The software bit that marks a `PROT_NONE` page: not present (every access
/// faults), but mapped, its frame kept for a later `mprotect`.
const RESERVED: F = F::BIT_9;

/// The leaf slot of user page `va` in the current address space, creating
/// the tables on the way if `create`.
fn leaf_slot(
    va: u64,
    create: bool,
) -> Option<&'static mut x86_64::structures::paging::page_table::PageTableEntry> {
    let inner = F::PRESENT | F::WRITABLE | F::USER_ACCESSIBLE;
    let mut t = Cr3::read().0.start_address().as_u64();
    for level in (1..4).rev() {
        let e = &mut table(t)[index(va, level)];
        if !e.flags().contains(F::PRESENT) {
            if !create {
                return None;
            }
            e.set_addr(PhysAddr::new(frames::alloc()?), inner);
        }
        if e.flags().contains(F::HUGE_PAGE) {
            return None;
        }
        t = e.addr().as_u64();
    }
    Some(&mut table(t)[index(va, 0)])
}

/// The leaf flags for `prot`.
fn prot_flags(prot: Prot) -> F {
    let mut flags = F::USER_ACCESSIBLE;
    if prot.is_none() {
        return flags | RESERVED;
    }
    flags |= F::PRESENT;
    if prot.write {
        flags |= F::WRITABLE;
    }
    if !prot.exec && nx_enabled() {
        flags |= F::NO_EXECUTE;
    }
    flags
}

/// Is user page `va` of the current address space mapped (`PROT_NONE`
/// included)?
pub fn mapped(va: u64) -> bool {
    leaf_slot(va, false).is_some_and(|e| e.flags().intersects(F::PRESENT | RESERVED))
}

/// Map a zeroed frame at user page `va` of the current address space with
/// `prot`, freeing the page there before.
pub fn map_zeroed(va: u64, prot: Prot) -> Result<(), OutOfMemory> {
    unmap(va);
    let e = leaf_slot(va, true).ok_or(OutOfMemory)?;
    let frame = frames::alloc().ok_or(OutOfMemory)?;
    e.set_addr(PhysAddr::new(frame), prot_flags(prot));
    Ok(())
}

/// Unmap user page `va` of the current address space and free its frame.
pub fn unmap(va: u64) {
    if let Some(e) = leaf_slot(va, false)
        && e.flags().intersects(F::PRESENT | RESERVED)
    {
        let frame = e.addr().as_u64();
        e.set_unused();
        tlb::flush(VirtAddr::new(va));
        // SAFETY: the entry that mapped the frame is gone (and flushed).
        unsafe { frames::free(frame) };
    }
}

/// Give mapped user page `va` of the current address space rights `prot`.
pub fn protect(va: u64, prot: Prot) -> bool {
    match leaf_slot(va, false) {
        Some(e) if e.flags().intersects(F::PRESENT | RESERVED) => {
            let frame = e.addr();
            e.set_addr(frame, prot_flags(prot));
            tlb::flush(VirtAddr::new(va));
            true
        }
        _ => false,
    }
}

/// Free every frame of `space`, a reaped process's: its user pages and page
/// tables, its PML4. The kernel's entries (PML4[256..], the image's two PD
/// entries) are shared, not its own, and stay. Loads the kernel's PML4
/// first if `space` is the one loaded.
///
/// # Safety
/// Nothing enters `space` again.
pub unsafe fn free_space(space: AddressSpace) {
    let pml4 = space.pml4();
    if Cr3::read().0.start_address().as_u64() == pml4 {
        let kernel = *KERNEL_PML4.lock();
        // SAFETY: the kernel's PML4 maps the kernel exactly as every process
        // space does; only the user half, which the kernel does not use
        // here, goes away.
        unsafe {
            Cr3::write(
                PhysFrame::containing_address(PhysAddr::new(kernel)),
                Cr3Flags::empty(),
            )
        };
    }
    free_table(pml4, 3, true);
}

/// Free the user entries of table `t` at `level` (3: PML4, 0: page table),
/// then `t` itself. `first`: `t` lies on the path of address 0, whose PD
/// starts with the kernel image's shared entries.
fn free_table(t: u64, level: u32, first: bool) {
    let entries = if level == 3 { 256 } else { 512 };
    for j in 0..entries {
        let e = &table(t)[j];
        if level == 0 {
            if e.flags().intersects(F::PRESENT | RESERVED) {
                // SAFETY: the space is never entered again (the caller's
                // promise): its pages are nobody's.
                unsafe { frames::free(e.addr().as_u64()) };
            }
        } else if e.flags().contains(F::PRESENT) {
            let shared = first && level == 1 && j < KERNEL_IMAGE_PAGES;
            if !shared {
                free_table(e.addr().as_u64(), level - 1, first && j == 0);
            }
        }
    }
    // SAFETY: as above; the table's entries are done with.
    unsafe { frames::free(t) };
}

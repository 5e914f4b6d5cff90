//! Page tables: 4 KiB granule, 39-bit addresses (`TCR_EL1.T0SZ` = 25,
//! three levels from level 1), one `TTBR0_EL1` space per process.
//!
//! ```text
//!   virtual address space of every process (and of the idle kernel)
//!   0x0000_0000    +------------------------+
//!                  | unmapped (null guard)  |
//!   0x0040_0000    | program segments   EL0 |  from the ELF, R/W/X as it says
//!                  | ...                    |
//!   USER_TOP-64K   | user stack         EL0 |  RW
//!   USER_TOP       +------------------------+  0x4000_0000
//!   0x4000_0000    | RAM, identity      EL1 |  frames, initrd, device tree:
//!                  |                        |  RW, never executable
//!   0x4020_0000    |   kernel text          |  RO, EL1-executable
//!                  |   kernel rodata        |  RO
//!                  |   data, bss, stacks    |  RW; each stack's guard page
//!                  |                        |  unmapped
//!                  | RAM, identity      EL1 |  RW, never executable
//!   MMIO_ALIAS     | devices            EL1 |  physical 0..1 GiB moved up
//!                  |                        |  to 0x1_0000_0000: device, XN
//!                  +------------------------+
//! ```
//!
//! The kernel half is built once ([`AddressSpace::kernel`]) and shared: its
//! level-1 entries are copied into every process's root
//! ([`AddressSpace::new`]), and its tables are never freed. RAM is mapped
//! at its own address, normal memory, in 1 GiB and 2 MiB blocks but for
//! the 2 MiB spans that hold the kernel image, which get 4 KiB pages with
//! W^X ([`KernelImage`]): text read-only and executable at EL1, rodata
//! read-only, everything else read-write and `PXN`, and the guard page
//! under each kernel stack left unmapped, so an overflow faults there. The
//! device region of QEMU virt (GIC, UART) sits at [`MMIO_ALIAS`] + its
//! physical address, Device-nGnRnE. Kernel entries have `AP[1]` clear
//! (EL1 only) and `UXN`, so EL0 can neither read, write nor jump there;
//! user pages have `AP[1]` set (EL0 access), `PXN` (EL1 never executes
//! user code) and `nG`, which is also how [`AddressSpace::translate`] knows
//! a user page. Every entry is made with the access flag set, so the CPU
//! never faults to set it.

use core::ops::Range;
use core::sync::atomic::{AtomicUsize, Ordering};

use ldex_arch_aarch64::Ttbr0;

use crate::board::MMIO_ALIAS;
use kernel_common::frames;
use kernel_common::kernel_image::KernelImage;
use kernel_common::perm::Perm;

type Pte = u64;
const LEVELS: usize = 3;
const VPN_BITS: usize = 9;
const ENTRIES: usize = 1 << VPN_BITS;
/// The page size.
pub const PAGE: usize = frames::PAGE as usize;
/// The span of one level-1 block.
const BLOCK: usize = PAGE << (VPN_BITS * (LEVELS - 1));

pub use kernel_common::paged_loader::{USER_BOTTOM, USER_STACK, USER_TOP, VmError};

/// `TCR_EL1.T0SZ`: 64 - 39 address bits.
const T0SZ: u64 = 25;

/// Descriptor bits.
const VALID: Pte = 1 << 0;
/// At levels 1 and 2 a table (not a block); at level 3 a page.
const TABLE: Pte = 1 << 1;
/// `AttrIndx` 0: normal write-back memory (see [`MAIR`]).
const ATTR_NORMAL: Pte = 0 << 2;
/// `AttrIndx` 1: Device-nGnRnE.
const ATTR_DEVICE: Pte = 1 << 2;
/// `AP[1]`: EL0 may access.
const AP_EL0: Pte = 1 << 6;
/// `AP[2]`: read-only (at every level that may access).
const AP_RO: Pte = 1 << 7;
/// Inner shareable.
const SH_INNER: Pte = 3 << 8;
/// The access flag.
const AF: Pte = 1 << 10;
/// Not global: the entry belongs to this address space (a user page).
const NG: Pte = 1 << 11;
/// EL1 may not execute.
const PXN: Pte = 1 << 53;
/// EL0 may not execute.
const UXN: Pte = 1 << 54;
/// Software bit of a `PROT_NONE` page: not valid, so every access
/// faults, but mapped and keeping its frame for a later `mprotect`.
const RESERVED: Pte = 1 << 55;
/// The output address bits of a descriptor.
const ADDRESS: Pte = 0x0000_ffff_ffff_f000;

/// `MAIR_EL1`: attribute 0 normal write-back (0xff), 1 Device-nGnRnE (0).
pub const MAIR: u64 = 0xff;

/// The descriptor bits of a user page with rights `perm`.
const fn perm_bits(perm: Perm) -> Pte {
    let ap = if perm.contains(Perm::W) {
        AP_EL0
    } else if perm.contains(Perm::R) {
        AP_EL0 | AP_RO
    } else {
        AP_RO
    };
    let xn = if perm.contains(Perm::X) { 0 } else { UXN };
    ap | xn | PXN | NG | AF | SH_INNER | ATTR_NORMAL
}

/// The descriptor bits of a kernel page or block with rights `perm`: EL1
/// only, never EL0-executable, EL1-executable only with [`Perm::X`].
const fn kernel_bits(perm: Perm) -> Pte {
    let ap = if perm.contains(Perm::W) { 0 } else { AP_RO };
    let pxn = if perm.contains(Perm::X) { 0 } else { PXN };
    ap | pxn | UXN | AF | SH_INNER | ATTR_NORMAL
}

/// The kernel's root table, built by [`AddressSpace::kernel`]: every
/// process's root copies its entries from `USER_TOP` up.
static KERNEL_ROOT: AtomicUsize = AtomicUsize::new(0);

/// Level-1 entries below `USER_TOP`: a process's own; the rest are the
/// kernel's, shared.
const USER_ROOT_ENTRIES: usize = USER_TOP / BLOCK;

/// The rights a user page descriptor gives EL0.
const fn perm_of(pte: Pte) -> Perm {
    let mut perm = Perm::NONE;
    if pte & AP_EL0 != 0 {
        perm = perm.union(if pte & AP_RO == 0 { Perm::W } else { Perm::R });
    }
    if pte & UXN == 0 {
        perm = perm.union(Perm::X);
    }
    perm
}

/// One address space: its level-1 table's physical address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AddressSpace {
    root: usize,
}

fn table(pa: usize) -> *mut Pte {
    pa as *mut Pte
}

fn index(va: usize, level: usize) -> usize {
    (va >> (12 + VPN_BITS * level)) & (ENTRIES - 1)
}

fn pte_pa(pte: Pte) -> usize {
    (pte & ADDRESS) as usize
}

/// Make descriptor writes visible to the table walker.
fn publish() {
    // SAFETY: a barrier only.
    unsafe { core::arch::asm!("dsb ishst", options(nostack)) };
}

/// Drop this CPU's cached translation of `va` (every ASID).
fn flush(va: usize) {
    // SAFETY: only invalidates translations; the tables are already right.
    unsafe {
        core::arch::asm!(
            "dsb ishst",
            "tlbi vaae1, {}",
            "dsb ish",
            "isb",
            in(reg) va >> 12,
            options(nostack)
        )
    };
}

/// The entry of a user page at frame `pa` with rights `perm`: a valid page,
/// or for no rights at all a [`RESERVED`] entry that keeps the frame.
fn user_entry(pa: usize, perm: Perm) -> Pte {
    if perm == Perm::NONE {
        pa as Pte | RESERVED
    } else {
        pa as Pte | perm_bits(perm) | TABLE | VALID
    }
}

/// Free the user entries of table `t` at `level` (0: pages), then `t`. At
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
        if level == 0 {
            if pte & (VALID | RESERVED) != 0 {
                // SAFETY: the space is never entered again (`free`'s
                // contract): its pages are nobody's.
                unsafe { frames::free(pte_pa(pte) as u64) };
            }
        } else if pte & (VALID | TABLE) == VALID | TABLE {
            free_table(pte_pa(pte), level - 1);
        }
    }
    // SAFETY: as above; the table's entries are done with.
    unsafe { frames::free(t as u64) };
}

/// A zeroed frame for a table.
fn alloc_table() -> Result<usize, VmError> {
    frames::alloc()
        .map(|pa| pa as usize)
        .ok_or(VmError::OutOfMemory)
}

/// Fill entry `va` of the kernel table `t` at `level` (0: pages): a block
/// of RAM where the span holds no image page, else a table of smaller
/// spans; at level 0 the image page with its W^X rights, or nothing for a
/// guard page.
fn map_kernel(
    t: usize,
    level: usize,
    va: usize,
    image: &KernelImage,
    guards: &[usize],
) -> Result<(), VmError> {
    // SAFETY: `t` is a table of the kernel space being built
    // (identity-mapped RAM) and `index` stays inside it.
    let slot = unsafe { table(t).add(index(va, level)) };
    let span = PAGE << (VPN_BITS * level);
    let pte = if level == 0 {
        if guards.contains(&va) {
            0
        } else {
            va as Pte | kernel_bits(image.perm(va)) | TABLE | VALID
        }
    } else if !image.overlaps(va, span) {
        va as Pte | kernel_bits(Perm::W) | VALID
    } else {
        let next = alloc_table()?;
        for i in 0..ENTRIES {
            map_kernel(next, level - 1, va + i * (span / ENTRIES), image, guards)?;
        }
        next as Pte | TABLE | VALID
    };
    // SAFETY: as above.
    unsafe { *slot = pte };
    Ok(())
}

/// `TTBR0_EL1` now.
fn current_root() -> usize {
    let ttbr0: u64;
    // SAFETY: reading TTBR0_EL1 has no side effect.
    unsafe { core::arch::asm!("mrs {}, ttbr0_el1", out(reg) ttbr0, options(nomem, nostack)) };
    (ttbr0 & ADDRESS) as usize
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
        let mut at = ram.start & !(BLOCK - 1);
        while at < ram.end {
            map_kernel(root, LEVELS - 1, at, image, guards)?;
            at += BLOCK;
        }
        let space = AddressSpace { root };
        space.set_block(MMIO_ALIAS, 0, ATTR_DEVICE | PXN | UXN);
        publish();
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
            // SAFETY: both are level-1 tables (identity-mapped frames);
            // only the kernel's entries are copied, into the new, unused
            // root.
            unsafe { *table(root).add(i) = *table(kernel).add(i) };
        }
        publish();
        Ok(AddressSpace { root })
    }

    /// The `TTBR0_EL1` value that selects it.
    pub fn ttbr0(&self) -> Ttbr0 {
        // SAFETY: every space holds the kernel half `kernel` built (`new`
        // copies its level-1 entries), `map_user` never touches it, no
        // kernel table is ever freed and no other table while in use.
        unsafe { Ttbr0::new(self.root as u64) }
    }

    /// Map the page at `va` to a frame with `perm`, allocating the frame
    /// (zeroed) unless the page is mapped already, in which case its rights
    /// grow by `perm`. Returns the frame's physical address.
    pub fn map_user(&self, va: usize, perm: Perm) -> Result<usize, VmError> {
        let slot = self.walk(va, true)?.ok_or(VmError::OutOfMemory)?;
        // SAFETY: `walk` returned a slot in one of this space's tables.
        let pte = unsafe { *slot };
        if pte & VALID != 0 {
            let grown = perm_of(pte).union(perm);
            // SAFETY: as above.
            unsafe { *slot = user_entry(pte_pa(pte), grown) };
            flush(va);
            return Ok(pte_pa(pte));
        }
        let frame = frames::alloc()
            .map(|pa| pa as usize)
            .ok_or(VmError::OutOfMemory)?;
        // SAFETY: as above.
        unsafe { *slot = user_entry(frame, perm) };
        publish();
        Ok(frame)
    }

    /// The frame behind user page `va` and its rights, if it is a user page.
    pub fn translate(&self, va: usize) -> Option<(usize, Perm)> {
        let slot = self.walk(va, false).ok()??;
        // SAFETY: a slot in one of this space's tables.
        let pte = unsafe { *slot };
        (pte & VALID != 0 && pte & NG != 0).then(|| (pte_pa(pte) + (va & (PAGE - 1)), perm_of(pte)))
    }

    /// Is user page `va` mapped, `PROT_NONE` included?
    pub fn mapped(&self, va: usize) -> bool {
        // SAFETY: a slot in one of this space's tables.
        matches!(self.walk(va, false), Ok(Some(slot)) if unsafe { *slot } & (VALID | RESERVED) != 0)
    }

    /// Map a zeroed frame at user page `va` with `perm` (none: `PROT_NONE`),
    /// freeing the page there before.
    pub fn map_zeroed(&self, va: usize, perm: Perm) -> Result<(), VmError> {
        self.unmap(va);
        let slot = self.walk(va, true)?.ok_or(VmError::OutOfMemory)?;
        let frame = frames::alloc().ok_or(VmError::OutOfMemory)? as usize;
        // SAFETY: `walk` returned a slot in one of this space's tables.
        unsafe { *slot = user_entry(frame, perm) };
        publish();
        Ok(())
    }

    /// Unmap user page `va` and free its frame.
    pub fn unmap(&self, va: usize) {
        if let Ok(Some(slot)) = self.walk(va, false) {
            // SAFETY: a slot in one of this space's tables.
            let pte = unsafe { *slot };
            if pte & (VALID | RESERVED) != 0 {
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
        if pte & (VALID | RESERVED) == 0 {
            return false;
        }
        // SAFETY: as above.
        unsafe { *slot = user_entry(pte_pa(pte), perm) };
        flush(va);
        true
    }

    /// Free every frame of this space, a reaped process's: its user pages,
    /// its tables, its root; the kernel's entries are shared, not its. If it is
    /// the one loaded, `kernel` (which maps the kernel the same way) is
    /// loaded first.
    ///
    /// # Safety
    /// Nothing enters this space again, and `kernel` is the kernel's own.
    pub unsafe fn free(self, kernel: Ttbr0) {
        if current_root() == self.root {
            // SAFETY: the kernel's space maps RAM and the devices exactly as
            // this one does; only the user half, unused here, goes away.
            unsafe {
                core::arch::asm!(
                    "msr ttbr0_el1, {}",
                    "isb",
                    "tlbi vmalle1",
                    "dsb nsh",
                    "isb",
                    in(reg) kernel.bits(),
                    options(nostack)
                )
            };
        }
        free_table(self.root, LEVELS - 1);
    }

    /// The address space `ttbr0` names.
    pub fn from_ttbr0(ttbr0: Ttbr0) -> AddressSpace {
        AddressSpace {
            root: ttbr0.root() as usize,
        }
    }

    /// The space loaded now.
    pub fn current() -> AddressSpace {
        AddressSpace {
            root: current_root(),
        }
    }

    /// Map the level-1 block at `va` to `pa` (both 1 GiB aligned), EL1 only.
    fn set_block(&self, va: usize, pa: usize, attrs: Pte) {
        // SAFETY: `root` is this space's level-1 table, an identity-mapped
        // frame.
        unsafe { *table(self.root).add(index(va, LEVELS - 1)) = pa as Pte | attrs | AF | VALID };
    }

    /// The level-3 slot for `va`, creating tables on the way if `create`.
    /// `Ok(None)`: a table is missing and `create` is false.
    fn walk(&self, va: usize, create: bool) -> Result<Option<*mut Pte>, VmError> {
        // User space only: below the kernel's blocks.
        if va >= USER_TOP {
            return Err(VmError::KernelRange);
        }
        let mut t = self.root;
        for level in (1..LEVELS).rev() {
            // SAFETY: `t` is one of this space's tables (identity-mapped).
            let slot = unsafe { table(t).add(index(va, level)) };
            // SAFETY: as above.
            let pte = unsafe { *slot };
            if pte & VALID == 0 {
                if !create {
                    return Ok(None);
                }
                let next = frames::alloc()
                    .map(|pa| pa as usize)
                    .ok_or(VmError::OutOfMemory)?;
                // SAFETY: as above.
                unsafe { *slot = next as Pte | TABLE | VALID };
                t = next;
            } else if pte & TABLE == 0 {
                return Err(VmError::KernelRange);
            } else {
                t = pte_pa(pte);
            }
        }
        // SAFETY: `t` is a level-3 table of this space.
        Ok(Some(unsafe { table(t).add(index(va, 0)) }))
    }
}

/// Turn the MMU on with `space` in `TTBR0_EL1` (TTBR1 walks disabled),
/// caches on.
///
/// # Safety
/// Called once per CPU, at boot, with its MMU off; `space` maps this code, its
/// stack and everything it touches next at their physical addresses.
pub unsafe fn enable(space: &AddressSpace) {
    let pa_range: u64;
    // SAFETY: reading an ID register has no side effect.
    unsafe {
        core::arch::asm!("mrs {}, id_aa64mmfr0_el1", out(reg) pa_range, options(nomem, nostack))
    };
    // T0SZ, walks write-back write-allocate inner shareable, 4 KiB granule,
    // TTBR1 walks off (EPD1), IPS = what the CPU supports.
    let tcr = T0SZ | (1 << 8) | (1 << 10) | (3 << 12) | (1 << 23) | ((pa_range & 7) << 32);
    // SAFETY: the caller's contract; the identity map keeps the next
    // instruction where it is.
    unsafe {
        core::arch::asm!(
            "msr mair_el1, {mair}",
            "msr tcr_el1, {tcr}",
            "msr ttbr0_el1, {ttbr0}",
            "isb",
            "tlbi vmalle1",
            "dsb nsh",
            "isb",
            "mrs {t}, sctlr_el1",
            "orr {t}, {t}, #(1 << 0)",
            "orr {t}, {t}, #(1 << 2)",
            "orr {t}, {t}, #(1 << 12)",
            "msr sctlr_el1, {t}",
            "isb",
            mair = in(reg) MAIR,
            tcr = in(reg) tcr,
            ttbr0 = in(reg) space.ttbr0().bits(),
            t = out(reg) _,
            options(nostack),
        );
    }
}

//! What a kernel supplies to [`ExampleOs`](super::ExampleOs).

use core::marker::PhantomData;
use core::ops::Range;

use abi::Numbers;
use ldex_core::user::UserMemory;
use ldex_core::{AccessKind, Arch, Pid};

use crate::console::Console;
use crate::stack::WordSize;

/// The arch- and board-specific half of the example kernels' system calls.
///
/// # Safety
/// While a system call of process `pid` runs, every range
/// [`user_allows`](Platform::user_allows) approves for `pid` can be read (and,
/// when approved for [`AccessKind::Write`], written) by the kernel through
/// the current address space inside [`with_user_access`](Platform::with_user_access).
/// The kernel runs system calls with the caller's address space loaded, so a
/// page-table walk of that address space (user pages only, never the kernel
/// half) is a correct `user_allows`.
pub unsafe trait Platform<A: Arch>: Console {
    /// The arch's Linux system call numbers.
    const NUMBERS: Numbers;
    /// The user word size (timespec fields are words: rv32 uses the 32-bit
    /// layout of call 113).
    const WORD: WordSize = WordSize::NATIVE;

    /// Where `brk` grows: from `start` (the initial break) up to at most
    /// `end`. Programs are loaded below it.
    const HEAP: Range<usize>;
    /// Where `mmap` without `MAP_FIXED` places mappings (first fit).
    const MMAP: Range<usize>;
    /// Every user address a process may map with `MAP_FIXED`.
    const USER: Range<usize>;
    /// The machine `uname` reports (`x86_64`, `riscv64`, `riscv32`).
    const MACHINE: &'static str;

    /// Nanoseconds since boot, monotonic.
    fn now_ns(&self) -> u64;

    /// Map a fresh zeroed frame at user page `page` of the current address
    /// space with rights `prot`, replacing (and freeing) any page there.
    /// `Err` when no frame (or page-table frame) is left.
    fn map_zeroed(&self, page: usize, prot: Prot) -> Result<(), OutOfMemory>;

    /// Unmap user page `page` of the current address space, if mapped.
    fn unmap(&self, page: usize);

    /// Give the mapped user page `page` rights `prot`; `false` if it is not
    /// mapped.
    fn protect(&self, page: usize, prot: Prot) -> bool;

    /// Is user page `page` of the current address space mapped, with any
    /// rights (`PROT_NONE` included)?
    fn mapped(&self, page: usize) -> bool;

    /// Free every frame of `aspace`, a reaped process's address space:
    /// its user pages, its page tables, its root. The kernel's shared
    /// entries stay. It may be the one loaded (see
    /// [`Os::free_address_space`](ldex_core::Os::free_address_space)).
    ///
    /// # Safety
    /// Nothing enters `aspace` again.
    unsafe fn free_space(&self, aspace: A::AddressSpace);

    /// Does process `pid` own `[addr, addr + len)` with `access` rights, as a
    /// user-mode access would see it? `len >= 1` and the range does not wrap.
    fn user_allows(&self, pid: Pid, addr: usize, len: usize, access: AccessKind) -> bool;

    /// Run `f`, which reads or writes checked user memory: RISC-V sets
    /// `sstatus.SUM` around it, x86_64 with SMAP brackets it with
    /// `stac`/`clac`. The default just runs it.
    fn with_user_access<R>(&self, f: impl FnOnce() -> R) -> R {
        f()
    }

    /// Does the board route the console's receive interrupt to
    /// [`device_interrupt`](Platform::device_interrupt)? Without it no
    /// input can ever come, so `read(0)` answers end of file rather than
    /// sleep for ever.
    const CONSOLE_INPUT: bool = false;

    /// Device interrupt `irq` (the arch's number, as
    /// `TrapCause::External` carries it) arrived: ask the board's
    /// interrupt controller which device raised it (the PLIC's claim, the
    /// IOAPIC's vector), hand each byte the console's UART received to
    /// `input`, and tell the controller it is done (complete, EOI).
    /// [`Claim::Spurious`] when no device had anything; the default (a
    /// board that routes no device) says so for every interrupt.
    fn device_interrupt(&self, irq: u32, input: &mut dyn FnMut(u8)) -> Claim {
        let _ = (irq, input);
        Claim::Spurious
    }

    /// Hold the board's devices back (`true`: no device interrupt until
    /// released), or let them go again (`false`). The OS holds them when
    /// more than [`STORM_BUDGET`](super::STORM_BUDGET) device interrupts
    /// came within one tick, and lets them go at the next tick, so a device
    /// that interrupts without pause still leaves the processes (and the
    /// scheduler) the rest of each tick. What arrives meanwhile waits in
    /// the device. The default (a board that routes no device) does
    /// nothing.
    fn hold_devices(&self, held: bool) {
        let _ = held;
    }

    /// `arch_prctl(ARCH_SET_FS, base)`: make `base` the FS base of the
    /// process whose arch state is `state`; `Err(errno)` to refuse (EPERM
    /// for a non-canonical or kernel address). Only x86_64 has it.
    fn set_fs_base(&self, state: &mut A::ProcessState, base: usize) -> Result<(), isize> {
        let _ = (state, base);
        Err(abi::errno::EINVAL)
    }
}

/// Who raised a device interrupt, as the board's controller says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Claim {
    /// The console's UART, with its controller number (PLIC source, IOAPIC
    /// pin).
    Console(u32),
    /// Nothing was pending: counted and ignored.
    Spurious,
}

/// No frame was left for a page or a page table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutOfMemory;

/// The rights of a user page, as `mmap` and `mprotect` name them
/// (`PROT_READ`, `PROT_WRITE`, `PROT_EXEC`). Writable implies readable on
/// both arches; none of the three is `PROT_NONE`, a page that is reserved
/// but faults on every access.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Prot {
    /// `PROT_READ`.
    pub read: bool,
    /// `PROT_WRITE`.
    pub write: bool,
    /// `PROT_EXEC`.
    pub exec: bool,
}

impl Prot {
    /// Read and write: the heap's pages.
    pub const READ_WRITE: Prot = Prot {
        read: true,
        write: true,
        exec: false,
    };

    /// The rights the `PROT_*` bits of `bits` name.
    pub fn from_bits(bits: usize) -> Prot {
        use abi::mman::{PROT_EXEC, PROT_READ, PROT_WRITE};
        Prot {
            read: bits & PROT_READ != 0,
            write: bits & PROT_WRITE != 0,
            exec: bits & PROT_EXEC != 0,
        }
    }

    /// `PROT_NONE`: no access at all.
    pub fn is_none(self) -> bool {
        !(self.read || self.write || self.exec)
    }
}

/// The memory of one process, as [`UserSlice::check`](ldex_core::user::UserSlice::check)
/// wants it: [`Platform::user_allows`] for one pid.
pub struct ProcessMemory<'a, A, P> {
    platform: &'a P,
    pid: Pid,
    arch: PhantomData<fn() -> A>,
}

impl<'a, A: Arch, P: Platform<A>> ProcessMemory<'a, A, P> {
    /// The memory `platform` says process `pid` owns.
    pub fn new(platform: &'a P, pid: Pid) -> Self {
        ProcessMemory {
            platform,
            pid,
            arch: PhantomData,
        }
    }
}

impl<A: Arch, P: Platform<A>> UserMemory for ProcessMemory<'_, A, P> {
    fn allows(&self, addr: usize, len: usize, access: AccessKind) -> bool {
        self.platform.user_allows(self.pid, addr, len, access)
    }
}

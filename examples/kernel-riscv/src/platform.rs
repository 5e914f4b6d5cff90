//! The board half of the example OS's system calls
//! ([`kernel_common::os::Platform`]): the clock, the user-memory check and
//! the SUM bracket.

use core::ops::Range;
use core::sync::atomic::{AtomicUsize, Ordering};

use abi::Numbers;
use kernel_common::console::Console;
use kernel_common::os::{Claim, OutOfMemory, Platform, Prot};
use kernel_common::paged_loader;
use ldex_arch_riscv::decode::IRQ_S_EXTERNAL;
use ldex_arch_riscv::{Riscv, Satp};
use ldex_core::{AccessKind, Pid};

use crate::board::Uart;
use crate::loader::{HEAP_START, MMAP_START};
use crate::vm::{AddressSpace, PAGE, USER_BOTTOM, USER_STACK, USER_TOP};

static TIMEBASE_HZ: AtomicUsize = AtomicUsize::new(1);
/// The kernel's own address space (`satp` bits), loaded before a reaped
/// process's space is freed.
static KERNEL_SATP: AtomicUsize = AtomicUsize::new(0);

/// The QEMU virt board as the OS sees it.
#[derive(Debug)]
pub struct Board;

impl Board {
    /// Remember the kernel's own address space.
    pub fn set_kernel_space(space: &AddressSpace) {
        KERNEL_SATP.store(space.satp().bits(), Ordering::Relaxed);
    }

    /// Remember the timebase (`time` ticks per second) for the clock.
    pub fn set_timebase(hz: u64) {
        TIMEBASE_HZ.store(
            usize::try_from(hz).unwrap_or(usize::MAX).max(1),
            Ordering::Relaxed,
        );
    }
}

impl Console for Board {
    fn write_bytes(&self, bytes: &[u8]) {
        #[cfg(feature = "kernel-stack-overflow-test")]
        crate::fault_test::in_console_write();
        Uart.write_bytes(bytes);
    }
}

fn current_space() -> AddressSpace {
    let satp: usize;
    // SAFETY: reading satp has no side effect.
    unsafe { core::arch::asm!("csrr {}, satp", out(reg) satp, options(nomem, nostack)) };
    // SAFETY: the value `satp` holds now maps the running kernel.
    AddressSpace::from_satp(unsafe { Satp::from_bits(satp) })
}

// SAFETY: system calls run with the caller's address space loaded (the
// protocol switches satp in `enter_process`), `user_allows` walks exactly
// that space's user pages, and `with_user_access` sets SUM around the copy.
unsafe impl Platform<Riscv> for Board {
    const NUMBERS: Numbers = Numbers::RISCV;
    const HEAP: Range<usize> = HEAP_START..MMAP_START;
    const MMAP: Range<usize> = MMAP_START..USER_TOP - USER_STACK - PAGE;
    const USER: Range<usize> = USER_BOTTOM..USER_TOP;
    const CONSOLE_INPUT: bool = true;
    const MACHINE: &'static str = if usize::BITS == 64 {
        "riscv64"
    } else {
        "riscv32"
    };

    fn map_zeroed(&self, page: usize, prot: Prot) -> Result<(), OutOfMemory> {
        current_space()
            .map_zeroed(page, prot.into())
            .map_err(|_| OutOfMemory)
    }

    fn unmap(&self, page: usize) {
        current_space().unmap(page);
    }

    fn protect(&self, page: usize, prot: Prot) -> bool {
        current_space().protect(page, prot.into())
    }

    fn mapped(&self, page: usize) -> bool {
        current_space().mapped(page)
    }

    unsafe fn free_space(&self, aspace: Satp) {
        // SAFETY: boot stored the kernel's own `satp`, which maps the kernel.
        let kernel = unsafe { Satp::from_bits(KERNEL_SATP.load(Ordering::Relaxed)) };
        // SAFETY: nothing enters `aspace` again (our contract), and boot
        // stored the kernel's space before any process ran.
        unsafe { AddressSpace::from_satp(aspace).free(kernel) };
    }

    fn now_ns(&self) -> u64 {
        let hz = TIMEBASE_HZ.load(Ordering::Relaxed) as u64;
        (u128::from(ldex_arch_riscv::timer::now()) * 1_000_000_000 / u128::from(hz)) as u64
    }

    fn user_allows(&self, _pid: Pid, addr: usize, len: usize, access: AccessKind) -> bool {
        #[cfg(feature = "sum-test")]
        crate::fault_test::touch_user_outside_accessor(addr);
        let space = current_space();
        paged_loader::user_allows(addr, len, access, |page| {
            space.translate(page).map(|(_, perm)| perm)
        })
    }

    fn with_user_access<R>(&self, f: impl FnOnce() -> R) -> R {
        ldex_arch_riscv::supervisor::with_user_access(f)
    }

    /// The UART is the only source: its PLIC enable bit.
    fn hold_devices(&self, held: bool) {
        crate::plic::hold(held);
    }

    /// Every external interrupt comes through the PLIC (`scause` 9).
    fn device_interrupt(&self, irq: u32, input: &mut dyn FnMut(u8)) -> Claim {
        if irq as usize == IRQ_S_EXTERNAL {
            crate::plic::interrupt(input)
        } else {
            Claim::Spurious
        }
    }
}

//! The board half of the example OS's system calls
//! ([`kernel_common::os::Platform`]): the clock, the user-memory check and
//! the PAN bracket.

use core::ops::Range;
use core::sync::atomic::{AtomicU64, Ordering};

use abi::Numbers;
use kernel_common::console::Console;
use kernel_common::os::{Claim, OutOfMemory, Platform, Prot};
use kernel_common::paged_loader;
use ldex_arch_aarch64::{Aarch64, Ttbr0};
use ldex_core::{AccessKind, Pid};

use crate::board::Uart;
use crate::loader::{HEAP_START, MMAP_START};
use crate::vm::{AddressSpace, PAGE, USER_BOTTOM, USER_STACK, USER_TOP};

/// The counter's frequency (`CNTFRQ_EL0`), for the clock.
static COUNTER_HZ: AtomicU64 = AtomicU64::new(1);
/// The kernel's own address space (`TTBR0_EL1`), loaded before a reaped
/// process's space is freed.
static KERNEL_TTBR0: AtomicU64 = AtomicU64::new(0);

/// The QEMU virt board as the OS sees it.
#[derive(Debug)]
pub struct Board;

impl Board {
    /// Remember the kernel's own address space.
    pub fn set_kernel_space(space: &AddressSpace) {
        KERNEL_TTBR0.store(space.ttbr0().bits(), Ordering::Relaxed);
    }

    /// Remember the counter's frequency for the clock.
    pub fn set_counter_hz(hz: u64) {
        COUNTER_HZ.store(hz.max(1), Ordering::Relaxed);
    }
}

impl Console for Board {
    fn write_bytes(&self, bytes: &[u8]) {
        #[cfg(feature = "kernel-stack-overflow-test")]
        crate::fault_test::in_console_write();
        Uart.write_bytes(bytes);
    }
}

// SAFETY: system calls run with the caller's address space loaded (the
// protocol switches TTBR0_EL1 in `enter_process`), `user_allows` walks
// exactly that space's user pages, and `with_user_access` clears PAN around
// the copy.
unsafe impl Platform<Aarch64> for Board {
    const NUMBERS: Numbers = Numbers::AARCH64;
    const HEAP: Range<usize> = HEAP_START..MMAP_START;
    const MMAP: Range<usize> = MMAP_START..USER_TOP - USER_STACK - PAGE;
    const USER: Range<usize> = USER_BOTTOM..USER_TOP;
    const MACHINE: &'static str = "aarch64";
    const CONSOLE_INPUT: bool = true;

    fn map_zeroed(&self, page: usize, prot: Prot) -> Result<(), OutOfMemory> {
        AddressSpace::current()
            .map_zeroed(page, prot.into())
            .map_err(|_| OutOfMemory)
    }

    fn unmap(&self, page: usize) {
        AddressSpace::current().unmap(page);
    }

    fn protect(&self, page: usize, prot: Prot) -> bool {
        AddressSpace::current().protect(page, prot.into())
    }

    fn mapped(&self, page: usize) -> bool {
        AddressSpace::current().mapped(page)
    }

    unsafe fn free_space(&self, aspace: Ttbr0) {
        // SAFETY: boot stored the kernel's own TTBR0_EL1, which maps the
        // kernel.
        let kernel = unsafe { Ttbr0::new(KERNEL_TTBR0.load(Ordering::Relaxed)) };
        // SAFETY: nothing enters `aspace` again (our contract), and boot
        // stored the kernel's space before any process ran.
        unsafe { AddressSpace::from_ttbr0(aspace).free(kernel) };
    }

    fn now_ns(&self) -> u64 {
        let hz = COUNTER_HZ.load(Ordering::Relaxed);
        (u128::from(ldex_arch_aarch64::timer::now()) * 1_000_000_000 / u128::from(hz)) as u64
    }

    fn user_allows(&self, _pid: Pid, addr: usize, len: usize, access: AccessKind) -> bool {
        let space = AddressSpace::current();
        paged_loader::user_allows(addr, len, access, |page| {
            space.translate(page).map(|(_, perm)| perm)
        })
    }

    fn with_user_access<R>(&self, f: impl FnOnce() -> R) -> R {
        ldex_arch_aarch64::supervisor::with_user_access(f)
    }

    /// The UART is the only device: its GIC enable bit.
    fn hold_devices(&self, held: bool) {
        crate::uart_rx::hold(held);
    }

    /// Every device interrupt is a GIC id, acknowledged by the trap entry.
    fn device_interrupt(&self, irq: u32, input: &mut dyn FnMut(u8)) -> Claim {
        crate::uart_rx::interrupt(irq, input)
    }
}

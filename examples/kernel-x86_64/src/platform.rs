//! The PC platform under the shared Linux system call layer.

use abi::Numbers;
use core::sync::atomic::{AtomicU64, Ordering};
use kernel_common::console::Console;
use kernel_common::os::{Claim, OutOfMemory, Platform, Prot};
use ldex_arch_x86_64::Timer;
use ldex_arch_x86_64::{AddressSpace, ProcessState, X86_64};
use ldex_core::{AccessKind, Pid};

use core::ops::Range;

use crate::loader::{HEAP_START, MMAP_END, MMAP_START, STACK_TOP};
use crate::memory::{self, USER_END, USER_START};
use crate::serial::Serial;

/// The PC: COM1 (input through the I/O APIC), the TSC clock, x86_64 page
/// tables.
pub struct Pc {
    ns_per_tsc_q32: AtomicU64,
}

impl Pc {
    /// Before the clock is calibrated `now_ns` reads 0.
    pub const fn new() -> Pc {
        Pc {
            ns_per_tsc_q32: AtomicU64::new(0),
        }
    }

    /// Take the clock rate from the calibrated timer.
    pub fn set_clock(&self, timer: &Timer) {
        let q32 = (1_000_000_000u64 << 32) / timer.tsc_hz().max(1);
        self.ns_per_tsc_q32.store(q32, Ordering::Relaxed);
    }
}

impl Console for Pc {
    fn write_bytes(&self, bytes: &[u8]) {
        #[cfg(feature = "kernel-stack-overflow-test")]
        crate::fault_test::in_console_write();
        Serial.write_bytes(bytes);
    }
}

// SAFETY: system calls run with the caller's CR3 loaded, `with_user_access`
// lifts SMAP around the copy, and `user_allows` walks exactly that address
// space's user pages.
unsafe impl Platform<X86_64> for Pc {
    const NUMBERS: Numbers = Numbers::X86_64;
    const HEAP: Range<usize> = HEAP_START as usize..MMAP_START as usize;
    const MMAP: Range<usize> = MMAP_START as usize..MMAP_END as usize;
    /// Up to the stack top, so the top page of the user half is never
    /// mapped (the SYSRET hazard cannot even be set up) but in the
    /// `sysret-hazard-test` build, which must then survive it.
    const USER: Range<usize> = if cfg!(feature = "sysret-hazard-test") {
        USER_START as usize..USER_END as usize
    } else {
        USER_START as usize..STACK_TOP as usize
    };
    const MACHINE: &'static str = "x86_64";
    const CONSOLE_INPUT: bool = true;

    fn map_zeroed(&self, page: usize, prot: Prot) -> Result<(), OutOfMemory> {
        memory::map_zeroed(page as u64, prot)
    }

    fn unmap(&self, page: usize) {
        memory::unmap(page as u64);
    }

    fn protect(&self, page: usize, prot: Prot) -> bool {
        memory::protect(page as u64, prot)
    }

    fn mapped(&self, page: usize) -> bool {
        memory::mapped(page as u64)
    }

    unsafe fn free_space(&self, aspace: AddressSpace) {
        // SAFETY: nothing enters `aspace` again (our contract).
        unsafe { memory::free_space(aspace) };
    }

    fn now_ns(&self) -> u64 {
        // SAFETY: rdtsc is unprivileged and has no effects.
        let tsc = unsafe { core::arch::x86_64::_rdtsc() };
        ((u128::from(tsc) * u128::from(self.ns_per_tsc_q32.load(Ordering::Relaxed))) >> 32) as u64
    }

    fn user_allows(&self, _pid: Pid, addr: usize, len: usize, access: AccessKind) -> bool {
        #[cfg(feature = "smap-test")]
        crate::fault_test::touch_user_outside_accessor(addr);
        memory::user_allows(addr, len, access)
    }

    fn with_user_access<R>(&self, f: impl FnOnce() -> R) -> R {
        ldex_arch_x86_64::supervisor::with_user_access(f)
    }

    /// COM1's vector comes from the I/O APIC; see [`crate::ioapic`].
    fn device_interrupt(&self, irq: u32, input: &mut dyn FnMut(u8)) -> Claim {
        crate::ioapic::interrupt(irq, input)
    }

    /// COM1 is the only device that interrupts: its interrupt enable.
    fn hold_devices(&self, held: bool) {
        Serial::hold_interrupts(held);
    }

    fn set_fs_base(&self, state: &mut ProcessState, base: usize) -> Result<(), isize> {
        if base as u64 >= USER_END {
            return Err(abi::errno::EPERM);
        }
        state
            .set_fs_base(base as u64)
            .map_err(|_| abi::errno::EPERM)
    }
}

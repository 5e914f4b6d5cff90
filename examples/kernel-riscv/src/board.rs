//! The QEMU `virt` board's devices: the 16550 UART (the console; its
//! receive side is [`crate::plic`]'s) and the SiFive test device (power
//! off with an exit code).
//!
//! Both are at fixed physical addresses on `virt`. Until paging is on the
//! kernel reaches them there; then at [`MMIO_ALIAS`] above, where every
//! address space maps them (no U bit): [`MMIO`] says which
//! (`kernel_common::mmio`).

use kernel_common::console::{Console, WriteLock};
use kernel_common::driver::ExitCode;
use kernel_common::mmio::MmioWindow;
use ldex_arch_riscv::Riscv;

/// Where the device region (physical 0..) appears once paging is on.
pub const MMIO_ALIAS: usize = 0xC000_0000;
/// The UART's registers (physical).
pub const UART: usize = 0x1000_0000;
/// The PLIC's registers (physical), see [`crate::plic`].
pub const PLIC: usize = 0x0c00_0000;
/// The SiFive test device ("sifive,test0").
pub const TEST_DEVICE: usize = 0x10_0000;

const THR: usize = 0;
const LSR: usize = 5;
const LSR_THR_EMPTY: u8 = 1 << 5;

const TEST_PASS: u32 = 0x5555;
const TEST_FAIL: u32 = 0x3333;

/// The devices at their physical addresses until paging is on, then at
/// [`MMIO_ALIAS`].
pub static MMIO: MmioWindow = MmioWindow::new(MMIO_ALIAS);

/// The console on the UART.
#[derive(Debug)]
pub struct Uart;

/// [`Uart`]'s lock: each of its writes is whole.
static WRITE: WriteLock<Riscv> = WriteLock::new();

impl Console for Uart {
    fn write_bytes(&self, bytes: &[u8]) {
        WRITE.write(|| put(bytes));
    }
}

/// Send `bytes` to the UART.
fn put(bytes: &[u8]) {
    let uart = MMIO.device(UART);
    for &b in bytes {
        // SAFETY: the UART's registers are at this address, physical or the
        // alias every address space maps (no U bit).
        unsafe {
            while core::ptr::read_volatile((uart + LSR) as *const u8) & LSR_THR_EMPTY == 0 {}
            core::ptr::write_volatile((uart + THR) as *mut u8, b);
        }
    }
}

/// Power off QEMU with `code` as its exit status (the test device passes
/// a failure's code in the top 16 bits of the write).
pub fn exit(code: ExitCode) -> ! {
    let value = match code {
        ExitCode::Success => TEST_PASS,
        failure => ((failure as u32) << 16) | TEST_FAIL,
    };
    // SAFETY: the test device is at this address, physical or the alias.
    unsafe { core::ptr::write_volatile(MMIO.device(TEST_DEVICE) as *mut u32, value) };
    loop {
        core::hint::spin_loop();
    }
}

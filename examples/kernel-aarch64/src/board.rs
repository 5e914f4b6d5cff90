//! The QEMU `virt` board's devices: the PL011 UART (the console), the
//! GICv2, and the two ways out: PSCI `SYSTEM_OFF` and Arm semihosting.
//!
//! The devices are at fixed physical addresses below RAM on `virt`. Until
//! the MMU is on the kernel reaches them there; then at [`MMIO_ALIAS`] +
//! their address, where every address space maps them as device memory
//! (EL1 only): [`MMIO`] says which (`kernel_common::mmio`).
//!
//! A clean run ends with PSCI `SYSTEM_OFF` (through `hvc`: QEMU plays the
//! firmware at EL2), which makes QEMU exit with status 0. PSCI has no exit
//! status, so a failure ends with semihosting's `SYS_EXIT` instead
//! (`hlt #0xf000`, QEMU's `-semihosting`), whose status is the kernel's
//! [`ExitCode`]. Semihosting is honoured at EL1 only: at EL0 the same
//! `hlt` is an undefined instruction, so a program cannot end QEMU.

use kernel_common::console::{Console, WriteLock};
use kernel_common::driver::ExitCode;
use kernel_common::mmio::MmioWindow;
use ldex_arch_aarch64::Aarch64;

/// Where the device region (physical 0..1 GiB) appears once the MMU is on.
pub const MMIO_ALIAS: usize = 0x1_0000_0000;
/// The PL011 UART's registers (physical).
pub const UART: usize = 0x0900_0000;
/// The GICv2 distributor (physical).
pub const GIC_DISTRIBUTOR: usize = 0x0800_0000;
/// The GICv2 CPU interface (physical).
pub const GIC_CPU_INTERFACE: usize = 0x0801_0000;

/// `UARTDR`: the data register.
const DR: usize = 0x00;
/// `UARTFR`: the flag register.
const FR: usize = 0x18;
/// `UARTFR.TXFF`: the transmit FIFO is full.
const FR_TXFF: u32 = 1 << 5;

/// Semihosting's `SYS_EXIT`, and the reason that carries a status.
const SYS_EXIT: u64 = 0x18;
const ADP_STOPPED_APPLICATION_EXIT: u64 = 0x2_0026;

/// The devices at their physical addresses until the MMU is on, then at
/// [`MMIO_ALIAS`].
pub static MMIO: MmioWindow = MmioWindow::new(MMIO_ALIAS);

/// The console on the UART.
#[derive(Debug)]
pub struct Uart;

/// [`Uart`]'s lock: each of its writes is whole.
static WRITE: WriteLock<Aarch64> = WriteLock::new();

impl Console for Uart {
    fn write_bytes(&self, bytes: &[u8]) {
        WRITE.write(|| put(bytes));
    }
}

/// The console of the panic path: the UART without [`Uart`]'s lock (see
/// [`WriteLock`]).
#[derive(Debug)]
pub struct PanicUart;

impl Console for PanicUart {
    fn write_bytes(&self, bytes: &[u8]) {
        put(bytes);
    }
}

/// Send `bytes` to the UART.
fn put(bytes: &[u8]) {
    let uart = MMIO.device(UART);
    for &b in bytes {
        // SAFETY: the UART's registers are at this address, physical or
        // the alias every address space maps (EL1 only).
        unsafe {
            while core::ptr::read_volatile((uart + FR) as *const u32) & FR_TXFF != 0 {}
            core::ptr::write_volatile((uart + DR) as *mut u32, u32::from(b));
        }
    }
}

/// Power off QEMU with `code` as its exit status.
pub fn exit(code: ExitCode) -> ! {
    if code != ExitCode::Success {
        let block: [u64; 2] = [ADP_STOPPED_APPLICATION_EXIT, code as u64];
        // SAFETY: a semihosting call QEMU serves by exiting; it only reads
        // `block`. Without `-semihosting` it is a debug halt QEMU ignores,
        // and PSCI below powers off (with status 0).
        unsafe {
            core::arch::asm!("hlt #0xf000", in("x0") SYS_EXIT, in("x1") block.as_ptr(), options(nostack));
        }
    }
    let _ = smccc::psci::system_off::<smccc::Hvc>();
    loop {
        core::hint::spin_loop();
    }
}

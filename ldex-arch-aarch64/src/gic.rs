//! The GICv2 (QEMU `virt`'s default interrupt controller, and the
//! Raspberry Pi 4's GIC-400): just enough of it for the timer's PPI and a
//! board's devices.
//!
//! The distributor (`GICD_*`) forwards interrupts to the CPU interface
//! (`GICC_*`), which raises the CPU's IRQ line. The IRQ slots of the trap
//! table read `GICC_IAR` (acknowledge: which interrupt, now active) and
//! write `GICC_EOIR` (end of interrupt) for the timer at once: the timer's
//! line is a level the kernel lowers by re-arming or disarming it before it
//! unmasks IRQs again, so ending the interrupt early loses nothing (see
//! `take`). Any other interrupt is the board's to end, through
//! [`end_of_interrupt`]. A board routes its devices' shared peripheral
//! interrupts (SPIs, ids 32 and up) to this CPU with [`route_spi`] and
//! holds one back with [`set_enabled`]; which device sits on which SPI is
//! the board's to know.
//!
//! GICv2 rather than GICv3: it is what `-machine virt` gives without
//! options, and its CPU interface is three MMIO registers, where GICv3's
//! needs the redistributor woken and its own system registers enabled.

use core::sync::atomic::{AtomicUsize, Ordering};

use ldex_core::{BootToken, TrapCause};

/// `GICD_CTLR`: the distributor forwards interrupts.
const GICD_CTLR: usize = 0x000;
/// `GICD_ISENABLER<n>`: set-enable bits, 32 interrupts per register.
const GICD_ISENABLER: usize = 0x100;
/// `GICD_ICENABLER<n>`: clear-enable bits, 32 interrupts per register.
const GICD_ICENABLER: usize = 0x180;
/// `GICD_ISPENDR<n>`: set-pending bits, 32 interrupts per register.
const GICD_ISPENDR: usize = 0x200;
/// `GICD_IPRIORITYR<n>`: one priority byte per interrupt.
const GICD_IPRIORITYR: usize = 0x400;
/// `GICD_ITARGETSR<n>`: one byte of target CPUs (a bit each) per interrupt.
const GICD_ITARGETSR: usize = 0x800;
/// `GICC_CTLR`: the CPU interface signals interrupts.
const GICC_CTLR: usize = 0x000;
/// `GICC_PMR`: the priority mask (only priorities below it are signalled).
const GICC_PMR: usize = 0x004;
/// `GICC_IAR`: reading acknowledges the highest pending interrupt.
const GICC_IAR: usize = 0x00c;
/// `GICC_EOIR`: writing the interrupt's id ends it.
const GICC_EOIR: usize = 0x010;

/// The id `GICC_IAR` returns when nothing is pending.
pub const SPURIOUS: u32 = 1023;
/// The EL1 virtual timer's PPI (PPI 11) as a GIC interrupt id.
pub const VIRTUAL_TIMER: u32 = 27;
/// The timer's priority (lower is more urgent).
pub const TIMER_PRIORITY: u8 = 0x80;
/// The first shared peripheral interrupt's id.
const FIRST_SPI: u32 = 32;

/// The distributor's and CPU interface's addresses, 0 before [`init`].
static DISTRIBUTOR: AtomicUsize = AtomicUsize::new(0);
static CPU_INTERFACE: AtomicUsize = AtomicUsize::new(0);

fn reg(base: &AtomicUsize, offset: usize) -> *mut u32 {
    let base = base.load(Ordering::Relaxed);
    assert!(base != 0, "GIC used before gic::init");
    (base + offset) as *mut u32
}

/// Interrupt `id`'s byte in the distributor's byte-per-interrupt array at
/// `array` (priorities, targets).
fn byte(array: usize, id: u32) -> *mut u8 {
    reg(&DISTRIBUTOR, array)
        .cast::<u8>()
        .wrapping_add(id as usize)
}

/// Interrupt `id`'s bit in the distributor's bit-per-interrupt array at
/// `array` (set-enable, clear-enable, set-pending): the word and the bit.
fn bit(array: usize, id: u32) -> (*mut u32, u32) {
    (
        reg(&DISTRIBUTOR, array + 4 * (id / 32) as usize),
        1 << (id % 32),
    )
}

/// Turn the GIC on for this CPU: distributor and CPU interface enabled,
/// every priority let through, the timer's PPI enabled at a middle
/// priority. Interrupts stay masked at the CPU (`DAIF.I`) until the kernel
/// unmasks them.
///
/// # Safety
/// `distributor` and `cpu_interface` are the addresses at which the current
/// and every later address space maps the GICv2's two register frames
/// (`reg` of the device tree's `arm,cortex-a15-gic` node), as device memory.
pub unsafe fn init(_token: &BootToken, distributor: usize, cpu_interface: usize) {
    DISTRIBUTOR.store(distributor, Ordering::Relaxed);
    CPU_INTERFACE.store(cpu_interface, Ordering::Relaxed);
    // SAFETY: the caller vouches for the frames; these writes only enable
    // the timer's interrupt, which the CPU still masks.
    unsafe {
        reg(&DISTRIBUTOR, GICD_CTLR).write_volatile(1);
        byte(GICD_IPRIORITYR, VIRTUAL_TIMER).write_volatile(TIMER_PRIORITY);
        reg(&CPU_INTERFACE, GICC_PMR).write_volatile(0xff);
        reg(&CPU_INTERFACE, GICC_CTLR).write_volatile(1);
    }
    set_enabled(VIRTUAL_TIMER, true);
}

/// An IRQ arrived: acknowledge it and say what it is. The timer's is
/// ended at once (its level stays up until the kernel re-arms or disarms
/// the timer, which it does before unmasking IRQs, so the GIC re-raises
/// nothing early); a device's stays active until the board ends it with
/// [`end_of_interrupt`]. [`SPURIOUS`] needs no end.
pub(crate) fn take() -> TrapCause {
    // SAFETY: `init` stored the CPU interface's address; reading IAR only
    // marks the interrupt active.
    let id = unsafe { reg(&CPU_INTERFACE, GICC_IAR).read_volatile() } & 0x3ff;
    if id == VIRTUAL_TIMER {
        end_of_interrupt(id);
        TrapCause::Timer
    } else {
        TrapCause::External(id)
    }
}

/// End interrupt `id`, which the trap entry reported as
/// [`TrapCause::External`].
pub fn end_of_interrupt(id: u32) {
    // SAFETY: as in `take`; writing EOIR only ends an active interrupt.
    unsafe { reg(&CPU_INTERFACE, GICC_EOIR).write_volatile(id) };
}

/// Route shared peripheral interrupt `id` to CPU 0 at `priority` (lower is
/// more urgent than higher; [`TIMER_PRIORITY`] is the timer's) and enable
/// it. Its trigger (level or edge) stays as the GIC reset it (level, on
/// QEMU `virt`). Once the CPU unmasks IRQs, the trap entry reports it as
/// [`TrapCause::External`]`(id)`, which the board must
/// [`end_of_interrupt`].
pub fn route_spi(id: u32, priority: u8) {
    assert!((FIRST_SPI..SPURIOUS).contains(&id), "{id} is not an SPI");
    // SAFETY: `init` stored the distributor's address; these writes only
    // route and enable one interrupt.
    unsafe {
        byte(GICD_IPRIORITYR, id).write_volatile(priority);
        byte(GICD_ITARGETSR, id).write_volatile(1);
    }
    set_enabled(id, true);
}

/// Let interrupt `id` through the distributor (`true`) or hold it back
/// (`false`): a held interrupt stays pending while its device keeps its
/// line raised, and is delivered once enabled again.
pub fn set_enabled(id: u32, on: bool) {
    let (word, mask) = bit(if on { GICD_ISENABLER } else { GICD_ICENABLER }, id);
    // SAFETY: `init` stored the distributor's address; a set- or
    // clear-enable write changes only `id`'s bit.
    unsafe { word.write_volatile(mask) };
}

/// Make interrupt `id` pending as if its device had raised it (the
/// distributor's set-pending bit): for a test that needs a device that
/// never stops interrupting.
pub fn set_pending(id: u32) {
    let (word, mask) = bit(GICD_ISPENDR, id);
    // SAFETY: `init` stored the distributor's address; a set-pending write
    // changes only `id`'s bit.
    unsafe { word.write_volatile(mask) };
}

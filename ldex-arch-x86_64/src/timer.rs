//! The timer: the local APIC timer, one-shot, on the TSC clock.
//!
//! The clock counts nanoseconds: [`Timer::now`](ldex_core::Timer::now) is
//! the TSC scaled by its calibrated rate, and
//! [`Timer::frequency_hz`](ldex_core::Timer::frequency_hz) is 10^9 on every
//! machine (`Kernel::boot` turns `Config::preemptive`'s duration into it). Where the
//! CPU has TSC-deadline mode a deadline goes straight into
//! `IA32_TSC_DEADLINE` (converted back to TSC counts); otherwise the APIC
//! timer runs one-shot with an initial count converted from the distance.
//! [`Timer::calibrate`] measures the TSC and the
//! APIC timer against 10 ms of PIT channel 2, whose 1.193182 MHz input is
//! the one frequency every PC agrees on. ldex-core's `PeriodicTimer` builds
//! the tick on top.

use core::arch::x86_64::_rdtsc;

use ldex_core::BootToken;
use x86_64::instructions::port::Port;
use x86_64::registers::model_specific::Msr;

use crate::cpuid::cpuid;
use crate::entry::{SPURIOUS_VECTOR, TIMER_VECTOR};

/// The local APIC's physical address (the reset value of IA32_APIC_BASE).
pub const LAPIC_PHYS: u64 = 0xfee0_0000;

const REG_TPR: usize = 0x80;
const REG_EOI: usize = 0xb0;
const REG_SVR: usize = 0xf0;
const REG_LVT_TIMER: usize = 0x320;
const REG_INITIAL_COUNT: usize = 0x380;
const REG_CURRENT_COUNT: usize = 0x390;
const REG_DIVIDE: usize = 0x3e0;

const SVR_ENABLE: u32 = 1 << 8;
const LVT_MASKED: u32 = 1 << 16;
const LVT_TSC_DEADLINE: u32 = 0b10 << 17;
/// Divide the APIC timer's input clock by 16.
const DIVIDE_BY_16: u32 = 0b0011;
const IA32_TSC_DEADLINE: u32 = 0x6e0;

const PIT_HZ: u64 = 1_193_182;
const CALIBRATION_MS: u64 = 10;

const NS_PER_S: u64 = 1_000_000_000;

#[derive(Clone, Copy, Debug)]
enum Mode {
    TscDeadline,
    /// APIC timer counts per nanosecond, as a 32.32 fixed-point number.
    OneShot {
        apic_per_ns: u64,
    },
}

/// The local APIC timer (see the module doc).
#[derive(Debug)]
pub struct Timer {
    lapic: usize,
    tsc_hz: u64,
    /// Nanoseconds per TSC count, 32.32 fixed point.
    ns_per_tsc: u64,
    /// TSC counts per nanosecond, 32.32 fixed point.
    tsc_per_ns: u64,
    mode: Mode,
}

/// The local APIC's end-of-interrupt register: writing it retires the
/// interrupt in service, so the APIC may deliver one of the same or a lower
/// priority class again. Only [`Timer::eoi`] makes one, so its address is
/// the calibrated timer's.
#[derive(Clone, Copy, Debug)]
pub struct Eoi {
    lapic: usize,
}

impl Eoi {
    /// Retire the interrupt in service. A device interrupt's handler calls
    /// it once, after the device is drained; never for the APIC's spurious
    /// vector, which is not put in service.
    pub fn signal(self) {
        // SAFETY: `lapic` maps the local APIC for the kernel's whole life
        // (`Timer::calibrate`'s contract); writing EOI has no other effect.
        unsafe { ((self.lapic + REG_EOI) as *mut u32).write_volatile(0) }
    }
}

/// `value * factor`, with `factor` in 32.32 fixed point.
fn scale(value: u64, factor: u64) -> u64 {
    ((u128::from(value) * u128::from(factor)) >> 32).min(u128::from(u64::MAX)) as u64
}

impl Timer {
    /// Enable the local APIC (mapped at virtual address `lapic`), measure the
    /// TSC and APIC timer rates against the PIT, and leave the timer
    /// disarmed.
    ///
    /// # Safety
    /// `lapic` maps [`LAPIC_PHYS`] (uncached) for the kernel's whole life;
    /// interrupts are disabled.
    pub unsafe fn calibrate(_token: &BootToken, lapic: usize) -> Timer {
        let mut t = Timer {
            lapic,
            tsc_hz: 0,
            ns_per_tsc: 0,
            tsc_per_ns: 0,
            mode: Mode::TscDeadline,
        };
        t.enable_apic();
        t.write(REG_LVT_TIMER, LVT_MASKED | u32::from(TIMER_VECTOR));
        t.write(REG_INITIAL_COUNT, u32::MAX);
        let tsc0 = rdtsc();
        // SAFETY: boot code owns the PIT.
        unsafe { pit_wait(PIT_HZ * CALIBRATION_MS / 1000) };
        let tsc = rdtsc() - tsc0;
        let apic = u64::from(u32::MAX - t.read(REG_CURRENT_COUNT));
        t.write(REG_INITIAL_COUNT, 0);
        let tsc = tsc.max(1);
        let ns = CALIBRATION_MS * 1_000_000;
        t.tsc_hz = tsc * 1000 / CALIBRATION_MS;
        t.ns_per_tsc = (ns << 32) / tsc;
        t.tsc_per_ns = (tsc << 32) / ns;
        let tsc_deadline = cpuid(1, 0).ecx & (1 << 24) != 0;
        if !tsc_deadline {
            t.mode = Mode::OneShot {
                apic_per_ns: (apic << 32) / ns,
            };
        }
        t.set_lvt_mode();
        t
    }

    /// The same timer on the CPU that calls this (another CPU than the one
    /// that calibrated it): enable this CPU's local APIC (at the same
    /// address, which each CPU sees as its own) in the same mode, with the
    /// same rates (every CPU's TSC and APIC timer run from the same clock),
    /// disarmed. No PIT measurement: the PIT is one device for all CPUs.
    ///
    /// # Safety
    /// As [`Timer::calibrate`], on this CPU.
    pub unsafe fn on_this_cpu(&self, _token: &BootToken) -> Timer {
        let t = Timer {
            lapic: self.lapic,
            tsc_hz: self.tsc_hz,
            ns_per_tsc: self.ns_per_tsc,
            tsc_per_ns: self.tsc_per_ns,
            mode: self.mode,
        };
        t.enable_apic();
        t.set_lvt_mode();
        ldex_core::Timer::disarm(&t);
        t
    }

    /// Software-enable this CPU's local APIC with the spurious vector, accept
    /// every priority, and divide its timer's clock by 16.
    fn enable_apic(&self) {
        self.write(REG_SVR, SVR_ENABLE | u32::from(SPURIOUS_VECTOR));
        self.write(REG_TPR, 0);
        self.write(REG_DIVIDE, DIVIDE_BY_16);
    }

    /// Point this CPU's timer LVT at the timer vector in the chosen mode.
    fn set_lvt_mode(&self) {
        match self.mode {
            Mode::TscDeadline => {
                self.write(REG_LVT_TIMER, LVT_TSC_DEADLINE | u32::from(TIMER_VECTOR));
            }
            Mode::OneShot { .. } => self.write(REG_LVT_TIMER, u32::from(TIMER_VECTOR)),
        }
    }

    /// The calibrated TSC rate.
    pub fn tsc_hz(&self) -> u64 {
        self.tsc_hz
    }

    /// The local APIC's end of interrupt, for the handler of a device
    /// interrupt the APIC delivered (the timer's own is
    /// [`acknowledge`](ldex_core::Timer::acknowledge)).
    pub fn eoi(&self) -> Eoi {
        Eoi { lapic: self.lapic }
    }

    /// Does the timer use TSC-deadline mode?
    pub fn uses_tsc_deadline(&self) -> bool {
        matches!(self.mode, Mode::TscDeadline)
    }

    /// The local APIC's virtual address, for [`crate::smp`]'s ICR.
    pub(crate) fn lapic(&self) -> usize {
        self.lapic
    }

    pub(crate) fn write(&self, reg: usize, value: u32) {
        // SAFETY: `lapic` maps the local APIC (constructor contract).
        unsafe { ((self.lapic + reg) as *mut u32).write_volatile(value) }
    }

    pub(crate) fn read(&self, reg: usize) -> u32 {
        // SAFETY: as in `write`.
        unsafe { ((self.lapic + reg) as *const u32).read_volatile() }
    }
}

fn rdtsc() -> u64 {
    // SAFETY: rdtsc is unprivileged (CR4.TSD is clear) and has no effects.
    unsafe { _rdtsc() }
}

/// Busy-wait `counts` PIT input clocks on channel 2 (gate on, speaker off,
/// mode 0: OUT2 rises when the count reaches zero).
///
/// # Safety
/// Ring 0; nothing else uses PIT channel 2 or port 0x61.
unsafe fn pit_wait(counts: u64) {
    let mut ctrl = Port::<u8>::new(0x61);
    let mut mode = Port::<u8>::new(0x43);
    let mut ch2 = Port::<u8>::new(0x42);
    // SAFETY: the caller owns the PIT; this is its documented protocol.
    unsafe {
        let gate_off = ctrl.read() & !0b11;
        ctrl.write(gate_off);
        mode.write(0b1011_0000);
        ch2.write(counts as u8);
        ch2.write((counts >> 8) as u8);
        ctrl.write(gate_off | 1);
        while ctrl.read() & 0x20 == 0 {
            core::hint::spin_loop();
        }
        ctrl.write(gate_off);
    }
}

impl ldex_core::Timer for Timer {
    fn frequency_hz(&self) -> u64 {
        NS_PER_S
    }

    fn now(&self) -> u64 {
        scale(rdtsc(), self.ns_per_tsc)
    }

    fn set_deadline(&self, deadline: u64) {
        match self.mode {
            Mode::TscDeadline => {
                let tsc = scale(deadline, self.tsc_per_ns).max(1);
                // SAFETY: TSC-deadline mode is on; a past deadline fires at once.
                unsafe { Msr::new(IA32_TSC_DEADLINE).write(tsc) }
            }
            Mode::OneShot { apic_per_ns } => {
                let count = scale(deadline.saturating_sub(self.now()), apic_per_ns);
                self.write(
                    REG_INITIAL_COUNT,
                    count.clamp(1, u64::from(u32::MAX)) as u32,
                );
            }
        }
    }

    fn disarm(&self) {
        match self.mode {
            // SAFETY: writing 0 disarms the TSC deadline.
            Mode::TscDeadline => unsafe { Msr::new(IA32_TSC_DEADLINE).write(0) },
            Mode::OneShot { .. } => self.write(REG_INITIAL_COUNT, 0),
        }
    }

    fn acknowledge(&self) {
        self.eoi().signal();
    }
}

//! The timer: one-shot underneath, periodic on top.
//!
//! An arch's [`Timer`] only knows how to read its clock and raise one
//! interrupt at a deadline (RISC-V `stimecmp` or SBI `set_timer`, the x86
//! local APIC in one-shot or TSC-deadline mode, the simulator's tick
//! counter). [`PeriodicTimer`] turns that into the steady tick the protocol
//! counts, written once for every arch.

use core::time::Duration;

use crate::token::BootToken;

/// A one-shot timer device.
pub trait Timer {
    /// Must a trap charge a tick that came due in the same instant, before
    /// the trap is handled? True for a clock of discrete simulated time (the
    /// simulator: the OSTEP replay charges the tick before the system call
    /// it coincides with), at the price of a clock read on every trap and
    /// switch. False for hardware (the default): a due tick's interrupt is
    /// taken at the next instruction with interrupts enabled, and charged
    /// then.
    const CHARGE_DUE_ON_TRAP: bool = false;

    /// How many units of [`Timer::now`] make one second.
    fn frequency_hz(&self) -> u64;
    /// The current time, in the timer's units.
    fn now(&self) -> u64;
    /// Raise the timer interrupt once, when [`Timer::now`] reaches `deadline`
    /// (at once if it already has). Replaces any earlier deadline.
    fn set_deadline(&self, deadline: u64);
    /// Cancel the pending deadline.
    fn disarm(&self);
    /// Acknowledge the interrupt at the interrupt controller, if the arch
    /// needs it (the x86 local APIC's EOI).
    fn acknowledge(&self) {}
}

/// `period` in units of a clock running at `frequency_hz`, rounded down
/// and at least one unit.
///
/// ```
/// use core::time::Duration;
/// use ldex_core::timer::units;
///
/// assert_eq!(units(Duration::from_millis(10), 10_000_000), 100_000); // QEMU virt's `time`
/// assert_eq!(units(Duration::from_millis(10), 1_000_000_000), 10_000_000); // nanoseconds
/// assert_eq!(units(Duration::from_nanos(1), 1000), 1); // never 0
/// ```
pub fn units(period: Duration, frequency_hz: u64) -> u64 {
    let units = period.as_nanos() * u128::from(frequency_hz) / 1_000_000_000;
    u64::try_from(units).unwrap_or(u64::MAX).max(1)
}

/// A periodic tick built from a one-shot [`Timer`].
#[derive(Debug)]
pub struct PeriodicTimer<T> {
    timer: T,
    period: u64,
    next: u64,
    running: bool,
}

impl<T: Timer> PeriodicTimer<T> {
    /// Wrap a device; it stays stopped until [`PeriodicTimer::start`].
    pub const fn new(timer: T) -> Self {
        PeriodicTimer {
            timer,
            period: 0,
            next: 0,
            running: false,
        }
    }

    /// Start ticking every `period`, converted into [`units`] of the timer's
    /// clock with the frequency it reports now. Privileged.
    ///
    /// # Panics
    /// If `period` is zero.
    pub fn start(&mut self, _token: &BootToken, period: Duration) {
        assert!(!period.is_zero(), "timer period must be positive");
        let period = units(period, self.timer.frequency_hz());
        self.period = period;
        self.next = self.timer.now() + period;
        self.running = true;
        self.timer.set_deadline(self.next);
    }

    /// Stop ticking.
    pub fn stop(&mut self) {
        self.running = false;
        self.timer.disarm();
    }

    /// Acknowledge a tick and arm the next one. Returns how many periods
    /// elapsed since the previous tick (1, or more when ticks were missed
    /// because interrupts were off). A tick that arrives while stopped is
    /// spurious and counts 0.
    #[must_use]
    pub fn acknowledge(&mut self) -> u64 {
        self.timer.acknowledge();
        if !self.running {
            return 0;
        }
        let now = self.timer.now();
        let mut elapsed = 0;
        while self.next <= now {
            self.next += self.period;
            elapsed += 1;
        }
        self.timer.set_deadline(self.next);
        elapsed
    }

    /// Has a tick come due that [`PeriodicTimer::acknowledge`] has not
    /// counted yet (its interrupt may still be on its way)?
    pub fn is_due(&self) -> bool {
        self.running && self.timer.now() >= self.next
    }

    /// Is the tick running?
    pub fn is_running(&self) -> bool {
        self.running
    }

    /// The tick period in timer units (0 before the first start).
    pub fn period(&self) -> u64 {
        self.period
    }

    /// The device underneath.
    pub fn device(&self) -> &T {
        &self.timer
    }
}

//! The handshake between the boot CPU and each CPU it starts (a RISC-V hart
//! through SBI HSM `hart_start`, an x86 AP through INIT–SIPI–SIPI), so that
//! a CPU that never arrives costs a bounded wait and nothing else.
//!
//! The kernels start their other CPUs one at a time, through one
//! [`Handshake`] word:
//!
//! ```text
//!   boot CPU                              started CPU
//!   expect(c)          word = c
//!   (start it)                            claim(c): word c -> CLAIMED, or,
//!                                           if the boot CPU gave up, park
//!   wait(c, ...)                          (its bring-up: timer, ...)
//!     word = REPORTED: online             report(): word = REPORTED
//!     word = c past the deadline:
//!       word c -> IDLE, [`TimedOut`]
//! ```
//!
//! Exactly one of `claim` and the boot CPU's giving up wins the word, so a
//! CPU that arrives too late never joins the kernel behind the back of the
//! `[kernel] CPUs online: N` line, and it parks on its own stack, which the
//! boot CPU gives no other CPU: once one CPU timed out it starts no more.
//! A CPU that has claimed its start runs the kernel's own bring-up, which
//! ends, so the boot CPU waits for its report without a bound.

use core::sync::atomic::{AtomicUsize, Ordering};

/// No start under way (or the boot CPU gave up on the last one).
const IDLE: usize = 0;
/// The started CPU arrived and is bringing itself up.
const CLAIMED: usize = usize::MAX;
/// The started CPU is up.
const REPORTED: usize = usize::MAX - 1;

/// The boot CPU waited until the deadline and the CPU never arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimedOut;

/// One start at a time: which CPU the boot CPU is waiting for, and how far
/// that CPU has come.
#[derive(Debug)]
pub struct Handshake(AtomicUsize);

impl Handshake {
    /// No start under way.
    pub const fn new() -> Self {
        Handshake(AtomicUsize::new(IDLE))
    }

    /// Boot CPU, before it starts CPU `cpu` (not 0: the boot CPU's own).
    pub fn expect(&self, cpu: usize) {
        debug_assert!(cpu != IDLE && cpu < REPORTED, "CPU id {cpu}");
        self.0.store(cpu, Ordering::Release);
    }

    /// Started CPU `cpu`, first thing: may it join the kernel? `false` if
    /// the boot CPU gave up on it (it must then park, touching nothing
    /// shared).
    #[must_use = "a CPU the boot CPU gave up on must not join the kernel"]
    pub fn claim(&self, cpu: usize) -> bool {
        self.0
            .compare_exchange(cpu, CLAIMED, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    /// Started CPU, once it is ready for the scheduler loop.
    pub fn report(&self) {
        self.0.store(REPORTED, Ordering::Release);
    }

    /// Boot CPU: wait for CPU `cpu` to report. If it has not claimed its
    /// start when `now()` reaches `deadline`, give up on it
    /// ([`TimedOut`]); once claimed, wait for its report.
    pub fn wait(&self, cpu: usize, now: impl Fn() -> u64, deadline: u64) -> Result<(), TimedOut> {
        loop {
            match self.0.load(Ordering::Acquire) {
                REPORTED => return Ok(()),
                word if word == cpu && now() >= deadline => {
                    if self
                        .0
                        .compare_exchange(cpu, IDLE, Ordering::AcqRel, Ordering::Acquire)
                        .is_ok()
                    {
                        return Err(TimedOut);
                    }
                }
                _ => core::hint::spin_loop(),
            }
        }
    }
}

impl Default for Handshake {
    fn default() -> Self {
        Handshake::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cpu_that_claims_and_reports_is_online() {
        let h = Handshake::new();
        h.expect(1);
        assert!(h.claim(1));
        h.report();
        assert_eq!(h.wait(1, || 0, 10), Ok(()));
    }

    #[test]
    fn a_cpu_that_never_arrives_times_out_at_the_deadline_and_may_not_join_later() {
        let h = Handshake::new();
        h.expect(1);
        let clock = core::cell::Cell::new(0);
        let now = || {
            clock.set(clock.get() + 1);
            clock.get()
        };
        assert_eq!(h.wait(1, now, 5), Err(TimedOut));
        assert_eq!(clock.get(), 5, "gave up at the deadline, not before");
        assert!(!h.claim(1), "the boot CPU gave up on it");
    }

    #[test]
    fn a_cpu_that_claimed_before_the_deadline_is_waited_for_past_it() {
        let h = std::sync::Arc::new(Handshake::new());
        h.expect(2);
        assert!(h.claim(2));
        let cpu = std::sync::Arc::clone(&h);
        let late = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(20));
            cpu.report();
        });
        // The deadline is long past: the claim alone keeps the wait going.
        assert_eq!(h.wait(2, || 100, 1), Ok(()));
        late.join().unwrap();
    }

    #[test]
    fn a_claim_for_another_cpu_id_fails() {
        let h = Handshake::new();
        h.expect(1);
        assert!(!h.claim(2));
        assert!(h.claim(1));
    }
}

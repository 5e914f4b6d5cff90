//! With `irq-storm-test`: an interrupt storm. COM1's "transmit holding
//! register empty" interrupt is on, and every COM1 interrupt asks the UART
//! for the next one at once (that interrupt switched off and on), so the
//! device interrupts without pause from boot to power-off: on return from
//! each one, before a single instruction of the interrupted code, the next
//! is taken. Without a guard nothing but interrupts would run, not even the
//! scheduler loop between two processes. The OS's storm guard
//! (`kernel_common::os::STORM_BUDGET`) holds COM1 back for the rest of a
//! tick once it has interrupted that many times in it. The `irq-storm` boot
//! checks that CPU-bound processes still reach their CPU-time limit and
//! that a short program still runs to its end.

use core::sync::atomic::{AtomicUsize, Ordering};

use crate::serial::Serial;

/// COM1 interrupts so far.
static COUNT: AtomicUsize = AtomicUsize::new(0);
/// The count at which the transcript says the storm is on.
const REPORT: usize = 1_000;

/// One more COM1 interrupt: count it and ask for the next.
pub fn again() {
    if COUNT.fetch_add(1, Ordering::Relaxed) + 1 == REPORT {
        crate::kprint!("[kernel] irq-storm-test: {REPORT} COM1 interrupts so far\n");
    }
    Serial::raise_transmit_interrupt();
}

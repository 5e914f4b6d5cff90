//! The timer: `stimecmp` (Sstc) when the hart has it, SBI `set_timer`
//! otherwise.
//!
//! Both raise the supervisor timer interrupt (STIP) once `time` reaches the
//! deadline, and writing a later deadline clears it. Sstc is one CSR write
//! in S-mode; the SBI path is an `ecall` into the firmware, which writes
//! the M-mode comparator for us (hundreds of instructions). So Sstc is used
//! whenever it works, decided once at boot by [`Timer::new`]: it reads
//! `stimecmp` under a throw-away trap handler. The read traps (illegal
//! instruction) when the hart lacks Sstc *or* the firmware did not enable it
//! for S-mode (`menvcfg.STCE`); either way SBI is the answer.
//!
//! The clock is `time` (the `rdtime` CSR), whose rate the device tree gives
//! as `/cpus/timebase-frequency` (10 MHz on QEMU virt).

use ldex_core::BootToken;
use ldex_core::sync::Interrupts;

use crate::csr;

/// Which comparator [`Timer`] programs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimerKind {
    /// The Sstc extension's `stimecmp` CSR.
    Sstc,
    /// The SBI TIME extension's `set_timer` call.
    Sbi,
}

/// The hart's timer.
#[derive(Debug)]
pub struct Timer {
    hz: u64,
    kind: TimerKind,
}

core::arch::global_asm!(
    ".pushsection .text.ldex_sstc_probe, \"ax\"",
    ".p2align 2",
    // The probe's trap handler: skip the 4-byte csrr, report "no" in a0.
    ".globl ldex_sstc_probe_trap",
    "ldex_sstc_probe_trap:",
    "    csrr a0, sepc",
    "    addi a0, a0, 4",
    "    csrw sepc, a0",
    "    li a0, 0",
    "    sret",
    ".popsection",
);

/// Does reading `stimecmp` work in S-mode?
fn probe_sstc() -> bool {
    let ok: usize;
    // SAFETY: interrupts are off (boot), so the only trap the borrowed stvec
    // can see is the probe's own, which it skips; stvec is put back.
    unsafe {
        core::arch::asm!(
            "csrr {old}, stvec",
            "la {tmp}, ldex_sstc_probe_trap",
            "csrw stvec, {tmp}",
            "li a0, 1",
            "csrr {tmp}, 0x14d",
            "csrw stvec, {old}",
            old = out(reg) _,
            tmp = out(reg) _,
            out("a0") ok,
            options(nostack),
        );
    }
    ok != 0
}

impl Timer {
    /// Detect Sstc, enable the supervisor timer interrupt (`sie.STIE`) and
    /// disarm. `timebase_hz` is the device tree's `timebase-frequency`.
    /// Call with interrupts disabled.
    pub fn new(_token: &BootToken, timebase_hz: u64) -> Timer {
        let was = crate::Riscv::save_and_disable();
        let kind = if probe_sstc() {
            TimerKind::Sstc
        } else {
            TimerKind::Sbi
        };
        crate::Riscv::restore(was);
        let t = Timer {
            hz: timebase_hz,
            kind,
        };
        ldex_core::Timer::disarm(&t);
        // SAFETY: the token proves boot code; the timer interrupt only
        // arrives once SIE is set too, and the deadline is disarmed.
        unsafe { csr::set!("sie", csr::SIE_STIE) };
        t
    }

    /// The comparator in use.
    pub fn kind(&self) -> TimerKind {
        self.kind
    }
}

/// Read the 64-bit `time` counter.
pub fn now() -> u64 {
    cfg_if::cfg_if! {
        if #[cfg(target_arch = "riscv64")] {
            csr::read!("time") as u64
        } else {
            loop {
                let hi = csr::read!("timeh");
                let lo = csr::read!("time");
                if hi == csr::read!("timeh") {
                    break ((hi as u64) << 32) | lo as u64;
                }
            }
        }
    }
}

fn write_stimecmp(deadline: u64) {
    cfg_if::cfg_if! {
        if #[cfg(target_arch = "riscv64")] {
            // SAFETY: `stimecmp` only decides when STIP rises; `Timer::new`
            // found it writable in S-mode.
            unsafe { csr::write!("0x14d", deadline as usize) };
        } else {
            // Low half to all-ones first, so no intermediate value is an
            // earlier deadline than either the old or the new one.
            // SAFETY: as on rv64, for both halves of `stimecmp`.
            unsafe {
                csr::write!("0x14d", usize::MAX);
                csr::write!("0x15d", (deadline >> 32) as usize);
                csr::write!("0x14d", deadline as usize);
            }
        }
    }
}

impl ldex_core::Timer for Timer {
    fn frequency_hz(&self) -> u64 {
        self.hz
    }

    fn now(&self) -> u64 {
        now()
    }

    fn set_deadline(&self, deadline: u64) {
        match self.kind {
            TimerKind::Sstc => write_stimecmp(deadline),
            TimerKind::Sbi => {
                // The SBI spec defines no error for set_timer.
                let _ = sbi_rt::set_timer(deadline);
            }
        }
    }

    fn disarm(&self) {
        self.set_deadline(u64::MAX);
    }
}

//! Many harts: the CPU id in `tp`, starting a hart through the SBI HSM
//! extension, and inter-processor interrupts through the SBI IPI extension.
//!
//! # CPU ids and hart ids
//! A hart id is the platform's name for a hart (the device tree's `reg` of
//! a `/cpus/cpu@N` node; OpenSBI may boot the kernel on any of them). A CPU
//! id is ldex-core's dense index below
//! [`ldex_core::MAX_CPUS`]: 0 for the hart the kernel
//! booted on, then 1, 2, ... in the order boot code starts the others.
//! [`set_cpu_id`] records the pair, on the hart itself, before it touches
//! the kernel; [`Riscv::cpu_id`](ldex_core::Arch::cpu_id) reads `tp` back
//! (see [`crate::entry`] for how `tp` survives traps), and [`send_ipi`]
//! turns a CPU id back into the hart id SBI wants.
//!
//! # Starting a hart
//! [`start_hart`] asks the firmware (`sbi_hart_start`) to start a stopped
//! hart in S-mode at a physical address, with paging off, `sstatus.SIE`
//! clear, `a0` = its hart id and `a1` = an opaque word of the caller's.
//! What runs there (a stack, `tp`, paging) is the kernel's business.
//!
//! # IPIs
//! `sbi_send_ipi` makes the firmware raise the supervisor software
//! interrupt (SSIP) on the target; the trap table's install enables it in
//! `sie` on each hart, and the trap dispatch clears it before it reports
//! the trap as `TrapCause::Ipi`.
//! Nothing travels with the interrupt: the sender has posted its work in
//! the target's pending-work word first, and the trap only makes the
//! target look.

use core::sync::atomic::{AtomicUsize, Ordering};

use ldex_core::BootToken;
use ldex_core::MAX_CPUS;
use sbi_rt::HartMask;

/// The hart id of each CPU id ([`set_cpu_id`] writes it).
static HART_OF_CPU: [AtomicUsize; MAX_CPUS] = [const { AtomicUsize::new(usize::MAX) }; MAX_CPUS];

/// Make `cpu` this hart's CPU id: `tp` = `cpu`, and remember that it is
/// hart `hart` for [`send_ipi`].
///
/// # Safety
/// Boot code of this hart, before it calls into the kernel; `cpu` is below
/// [`MAX_CPUS`] and no other hart has it (ldex-core keeps one CPU's state
/// per id: two harts sharing one would race on it).
pub unsafe fn set_cpu_id(_token: &BootToken, cpu: usize, hart: usize) {
    assert!(
        cpu < MAX_CPUS,
        "CPU id {cpu} is not below MAX_CPUS ({MAX_CPUS})"
    );
    HART_OF_CPU[cpu].store(hart, Ordering::Relaxed);
    // SAFETY: the kernel never uses tp for anything else (no TLS); the
    // caller promises the id is this hart's alone.
    unsafe { core::arch::asm!("mv tp, {}", in(reg) cpu, options(nomem, nostack)) };
}

/// This hart's CPU id: `tp` (see the module docs).
#[inline(always)]
pub fn cpu_id() -> usize {
    let cpu: usize;
    // SAFETY: reading tp has no effect.
    unsafe {
        core::arch::asm!("mv {}, tp", out(reg) cpu, options(nomem, nostack, preserves_flags))
    };
    cpu
}

/// Why the firmware did not start a hart: its SBI error code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StartError(pub isize);

/// Ask the firmware to start stopped hart `hart` in S-mode at physical
/// address `entry`, with `a0` = `hart` and `a1` = `opaque`.
///
/// # Errors
/// The firmware's refusal (no such hart, already started, no HSM).
///
/// # Safety
/// `entry` is code that expects exactly that state (paging off, `a0`,
/// `a1`) and gives the hart a stack and a CPU id of its own before it
/// touches anything shared.
pub unsafe fn start_hart(
    _token: &BootToken,
    hart: usize,
    entry: usize,
    opaque: usize,
) -> Result<(), StartError> {
    let ret = sbi_rt::hart_start(hart, entry, opaque);
    if ret.is_ok() {
        Ok(())
    } else {
        Err(StartError(ret.error as isize))
    }
}

/// Raise the supervisor software interrupt on CPU `cpu`.
///
/// # Panics
/// If no hart has taken CPU id `cpu` ([`set_cpu_id`]).
pub fn send_ipi(cpu: usize) {
    let hart = HART_OF_CPU[cpu].load(Ordering::Relaxed);
    assert_ne!(hart, usize::MAX, "no hart is CPU {cpu}");
    // The SBI spec's only errors are a bad mask (ruled out above) and
    // "failed", after which there is nothing better to do than to let the
    // target find its work at its next tick.
    let _ = sbi_rt::send_ipi(HartMask::from_mask_base(1, hart));
}

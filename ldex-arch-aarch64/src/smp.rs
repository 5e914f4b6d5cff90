//! Many CPUs: the CPU id in `TPIDR_EL1`, the CPU's MPIDR affinity, and
//! inter-processor interrupts as GICv2 software-generated interrupts.
//!
//! # CPU ids and MPIDR affinities
//! An MPIDR affinity (`MPIDR_EL1`'s Aff3..Aff0 fields) is the platform's
//! name for a CPU: the device tree's `reg` of a `/cpus/cpu@N` node, and the
//! `target_cpu` of PSCI `CPU_ON`. They need not be dense (clusters number
//! their cores from 0 each). A CPU id is ldex-core's dense index below
//! [`MAX_CPUS`]: 0 for the CPU the kernel booted on, then 1, 2, ... in the
//! order boot code starts the others. Starting a CPU (PSCI, through the
//! board's conduit) is the kernel's business; this module only gives each
//! CPU its id ([`set_cpu_id`]) and reads it back ([`cpu_id`]).
//!
//! # Why `TPIDR_EL1`
//! [`Aarch64::cpu_id`](ldex_core::Arch::cpu_id) runs on every trap, so the
//! id must be one instruction away, valid on every entry, and out of the
//! user's reach. `TPIDR_EL1` is the EL1 software thread-id register: EL0
//! can neither read nor write it (unlike `TPIDR_EL0`, the user's thread
//! pointer, which `Aarch64` switches with the process, and
//! `TPIDRRO_EL0`, which EL0 reads), no exception changes it, and the kernel
//! has no thread-locals of its own to keep there. So the trap entry does
//! nothing for it, and reading it is one `mrs` with no memory access.
//! (`MPIDR_EL1` is as cheap to read but is not dense, so it would cost a
//! table look-up on top; x86_64 keeps its id in the GS-based per-CPU area,
//! RISC-V in `tp`, which its entry must reload.)
//!
//! # IPIs ([`send_ipi`])
//! Software-generated interrupt [`gic::IPI`] (SGI 0), sent by writing
//! `GICD_SGIR` with the target's bit in its CPU target list. A CPU's bit
//! is its GIC CPU interface number, which it reads for itself from the
//! banked `GICD_ITARGETSR0` when it brings up its CPU interface
//! ([`gic::init`], [`gic::init_cpu`]): nothing assumes it equals the CPU id
//! or Aff0. The target's trap entry acknowledges and ends it and reports
//! `TrapCause::Ipi`. Nothing travels with the interrupt: the sender has
//! posted its work in the target's pending-work word first, and the trap
//! only makes the target look.

use ldex_core::BootToken;
use ldex_core::MAX_CPUS;

use crate::gic;
use crate::sysreg;

/// `MPIDR_EL1`'s affinity fields: Aff3 (bits 39:32) and Aff2..Aff0 (bits
/// 23:0), the value PSCI and the device tree name a CPU by.
const MPIDR_AFFINITY: u64 = 0xff_00ff_ffff;

/// Make `cpu` this CPU's id: `TPIDR_EL1` = `cpu`.
///
/// Every CPU calls it first, the boot CPU included (with 0):
/// `TPIDR_EL1`'s reset value is unknown, and `Kernel::boot`, the GIC's
/// per-CPU bring-up and the trap path all read the id.
///
/// # Safety
/// Boot code of this CPU, before it calls into the kernel; `cpu` is below
/// [`MAX_CPUS`] and no other CPU has it (ldex-core keeps one CPU's state
/// per id: two CPUs sharing one would race on it).
pub unsafe fn set_cpu_id(_token: &BootToken, cpu: usize) {
    assert!(
        cpu < MAX_CPUS,
        "CPU id {cpu} is not below MAX_CPUS ({MAX_CPUS})"
    );
    // SAFETY: the kernel keeps nothing else in TPIDR_EL1 and EL0 cannot
    // reach it; the caller promises the id is this CPU's alone.
    unsafe { sysreg::write!("tpidr_el1", cpu as u64) };
}

/// This CPU's id: `TPIDR_EL1` (see the module docs).
#[inline(always)]
pub fn cpu_id() -> usize {
    let cpu: u64;
    // SAFETY: reading TPIDR_EL1 has no side effect.
    unsafe {
        core::arch::asm!("mrs {}, tpidr_el1", out(reg) cpu, options(nomem, nostack, preserves_flags))
    };
    cpu as usize
}

/// This CPU's MPIDR affinity (see the module docs): how boot code tells
/// its own `/cpus` node from the ones it must start.
pub fn affinity() -> u64 {
    sysreg::read!("mpidr_el1") & MPIDR_AFFINITY
}

/// Interrupt CPU `cpu` with [`gic::IPI`].
///
/// # Panics
/// If CPU `cpu` has not brought up its GIC CPU interface yet.
pub fn send_ipi(cpu: usize) {
    gic::send_sgi(cpu, gic::IPI);
}

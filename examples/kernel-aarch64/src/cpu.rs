//! What every CPU sets up for itself, the boot CPU and the others alike:
//! its system registers are its own, so each must lock EL0 out and count
//! instructions for EL0 on its own (see [`setup`]).

use ldex_arch_aarch64::supervisor::{self, Features};
use ldex_core::BootToken;

/// Lock EL0 out (`SCTLR_EL1`, PAN where the CPU has it) and count
/// instructions for EL0 ([`count_instructions`]) on this CPU. Boot code,
/// once per CPU, with the MMU on.
pub fn setup(token: &BootToken) -> Features {
    let features = supervisor::lock_down(token);
    count_instructions();
    features
}

/// Count retired instructions (PMU event 0x08) in `PMEVCNTR0_EL0`, at
/// EL0 and EL1, and let EL0 read it (`PMUSERENR_EL0.ER`, reads only), as
/// the RISC-V kernel lets U-mode read `instret`: the `bench` program
/// counts the protocol's instructions with it. QEMU counts them exactly
/// under `-icount`.
fn count_instructions() {
    // SAFETY: only the PMU's counting and EL0's read access change;
    // nothing the kernel relies on.
    unsafe {
        core::arch::asm!(
            "msr pmevtyper0_el0, {inst_retired}",
            "msr pmcntenset_el0, {counter0}",
            "mrs {t}, pmcr_el0",
            "orr {t}, {t}, #1",
            "msr pmcr_el0, {t}",
            "msr pmuserenr_el0, {er}",
            "isb",
            inst_retired = in(reg) 0x08u64,
            counter0 = in(reg) 1u64,
            er = in(reg) 1u64 << 3,
            t = out(reg) _,
            options(nostack),
        );
    }
}

//! The trap table: GDT + TSS, IDT, the syscall MSRs, the per-CPU area, the
//! PICs, the FPU and the supervisor protections (SMEP, SMAP, UMIP),
//! installed in that order by one call, on each CPU. The CPU's id comes
//! from its per-CPU area ([`crate::smp::set_cpu_id`]); a CPU that has none
//! yet is the boot CPU, 0, so a one-CPU kernel need not know.

use ldex_core::BootToken;

use ldex_core::arch::TrapSink;
use static_assertions::const_assert_eq;
use x86_64::registers::model_specific::{Efer, EferFlags};
use x86_64::registers::rflags::RFlags;

use crate::entry::{self, syscall_entry};
use crate::frame::TrapFrame;
use crate::gdt::{self, KERNEL_CS, KERNEL_SS, USER_CS, USER_SS};
use crate::{fpu, idt, kernel_space, msr, percpu, pic, supervisor};

// SYSRET order: `syscall` loads CS from STAR[47:32] and SS = CS + 8;
// `sysretq` loads CS = STAR[63:48] + 16 and SS = STAR[63:48] + 8 (RPL 3).
const_assert_eq!(KERNEL_SS, KERNEL_CS + 8);
const_assert_eq!(USER_CS, USER_SS + 8);
const_assert_eq!(USER_SS & 3, 3);

/// STAR: the kernel CS at bits 47:32; at bits 63:48 the selector 8 below
/// the user SS (so 16 below the user CS), with RPL 3.
const STAR: u64 = (((USER_SS - 8) as u64) << 48) | ((KERNEL_CS as u64) << 32);

/// The x86_64 trap table (see the module doc).
///
/// `install` runs in the kernel's own address space on each CPU, one that
/// maps the kernel as every process space does and is never freed: an
/// idle CPU goes back to it (see `kernel_space`).
#[derive(Debug)]
pub struct TrapTable;

impl ldex_core::TrapTable for TrapTable {
    type Frame = TrapFrame;

    fn install<S: TrapSink<TrapFrame>>(token: &BootToken, sink: &'static S) {
        entry::set_sink(sink);
        // SAFETY: the token proves boot code in ring 0; interrupts are off
        // during boot (the PVH entry state, and the kernel never enabled
        // them). A CPU without a per-CPU area is the boot CPU, the only one
        // that runs before `smp::set_cpu_id`.
        unsafe {
            if !percpu::installed() {
                percpu::install(0);
            }
            let cpu = percpu::cpu_id();
            kernel_space::remember(cpu);
            gdt::install(cpu);
            idt::install();
            install_syscall(token);
            if cpu == 0 {
                pic::remap_and_mask();
            }
            fpu::init();
            supervisor::init();
        }
    }
}

/// `syscall` lands in [`syscall_entry`] with CS/SS from STAR and RFLAGS
/// masked so that IF (no interrupt before the stack switch), DF (the ABI's
/// direction), TF (no single-step trap on a user stack) and AC (no user
/// alignment checks in the kernel) are clear.
///
/// # Safety
/// Boot code, after [`gdt::install`].
unsafe fn install_syscall(token: &BootToken) {
    let mask = RFlags::INTERRUPT_FLAG
        | RFlags::DIRECTION_FLAG
        | RFlags::TRAP_FLAG
        | RFlags::ALIGNMENT_CHECK;
    // SAFETY: boot code in ring 0 (the caller's promise); the selectors are
    // the GDT's, in SYSRET order (asserted above); the entry is the naked
    // syscall entry, a canonical kernel address; the mask keeps interrupts
    // off until the entry is on the kernel stack.
    unsafe {
        msr::write(msr::STAR, STAR);
        msr::write(msr::LSTAR, syscall_entry as *const () as u64);
        msr::write(msr::SFMASK, mask.bits());
        Efer::update(|efer| efer.insert(EferFlags::SYSTEM_CALL_EXTENSIONS));
    }
    supervisor::enable_nx(token);
}

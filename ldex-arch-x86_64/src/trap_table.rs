//! The trap table: GDT + TSS, IDT, the syscall MSRs, the per-CPU area, the
//! PICs and the FPU, installed in that order by one call.

use ldex_core::BootToken;

use ldex_core::arch::TrapSink;
use x86_64::VirtAddr;
use x86_64::registers::model_specific::{Efer, EferFlags, LStar, SFMask, Star};
use x86_64::registers::rflags::RFlags;
use x86_64::structures::gdt::SegmentSelector;

use crate::cpuid::cpuid;
use crate::entry::{self, syscall_entry};
use crate::frame::TrapFrame;
use crate::gdt::{self, KERNEL_CS, KERNEL_SS, USER_CS, USER_SS};
use crate::{fpu, idt, percpu, pic};

/// The x86_64 trap table (see the module doc).
#[derive(Debug)]
pub struct TrapTable;

impl ldex_core::TrapTable for TrapTable {
    type Frame = TrapFrame;

    fn install(_token: &BootToken, sink: &'static dyn TrapSink<TrapFrame>) {
        entry::set_sink(sink);
        // SAFETY: the token proves boot code in ring 0; interrupts are off
        // during boot (the PVH entry state, and the kernel never enabled them).
        unsafe {
            gdt::install();
            idt::install();
            percpu::install();
            install_syscall();
            pic::remap_and_mask();
            fpu::init();
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
unsafe fn install_syscall() {
    let mask = RFlags::INTERRUPT_FLAG
        | RFlags::DIRECTION_FLAG
        | RFlags::TRAP_FLAG
        | RFlags::ALIGNMENT_CHECK;
    // SAFETY: the selectors are the GDT's, in SYSRET order; the entry is
    // the naked syscall entry.
    unsafe {
        Star::write(
            SegmentSelector(USER_CS),
            SegmentSelector(USER_SS),
            SegmentSelector(KERNEL_CS),
            SegmentSelector(KERNEL_SS),
        )
        .expect("the GDT is in SYSRET order");
        LStar::write(VirtAddr::new(syscall_entry as *const () as u64));
        SFMask::write(mask);
        Efer::update(|efer| {
            efer.insert(EferFlags::SYSTEM_CALL_EXTENSIONS);
            // NX: page tables may mark data non-executable, and #PF reports
            // instruction fetches (the I/D bit).
            if cpuid(0x8000_0001, 0).edx & (1 << 20) != 0 {
                efer.insert(EferFlags::NO_EXECUTE_ENABLE);
            }
        });
    }
}

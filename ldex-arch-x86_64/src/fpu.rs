//! FPU/SSE/AVX state: set up at boot, saved and restored eagerly on every
//! process switch.
//!
//! # Policy
//! Eager, not lazy: `X86_64::enter_process` restores the next
//! process's registers and `X86_64::leave_process` saves them, so
//! CR0.TS stays clear, #NM never happens and one process's vector registers
//! never leak into another's. The kernel itself is built without SSE
//! (soft-float target), so it never disturbs the user's registers between
//! the two.
//!
//! `xsave64`/`xrstor64` where CPUID says XSAVE exists (XCR0 = x87 | SSE,
//! plus AVX when present), `fxsave64`/`fxrstor64` otherwise. The save area
//! is 1024 bytes, 64-aligned: enough for the legacy region, the XSAVE header
//! and the AVX upper halves; boot refuses AVX if CPUID reports a bigger
//! standard-format area.
//!
//! # Boot setup
//! CR0: EM and TS clear (FPU present, no #NM), MP and NE set (native x87
//! errors). CR4: OSFXSR and OSXMMEXCPT (SSE and its exceptions), and OSXSAVE
//! when used (SMEP, SMAP and UMIP: [`crate::supervisor`]).

use crate::cpuid::cpuid;
use core::sync::atomic::{AtomicBool, Ordering};

use x86_64::registers::control::{Cr0, Cr0Flags, Cr4, Cr4Flags};
use x86_64::registers::xcontrol::{XCr0, XCr0Flags};

/// Bytes of the save area.
const AREA_SIZE: usize = 1024;
/// Offset of the x87 control word in the legacy region.
const FCW: usize = 0;
/// Offset of MXCSR in the legacy region.
const MXCSR: usize = 24;
/// The x87 control word after `fninit`: every exception masked.
const FCW_INIT: u16 = 0x037f;
/// MXCSR after reset: every exception masked, round to nearest.
const MXCSR_INIT: u32 = 0x1f80;

static USE_XSAVE: AtomicBool = AtomicBool::new(false);

/// One process's FPU/SSE/AVX registers, in XSAVE (or FXSAVE) format.
#[repr(C, align(64))]
pub struct FpuState {
    area: [u8; AREA_SIZE],
}

impl Default for FpuState {
    /// The state of a fresh process: the x87 and SSE init values. The XSAVE
    /// header (offset 512) is zero, so `xrstor` loads every component's init
    /// state, except MXCSR, which it takes from the legacy region.
    fn default() -> Self {
        let mut area = [0; AREA_SIZE];
        area[FCW..FCW + 2].copy_from_slice(&FCW_INIT.to_le_bytes());
        area[MXCSR..MXCSR + 4].copy_from_slice(&MXCSR_INIT.to_le_bytes());
        FpuState { area }
    }
}

impl core::fmt::Debug for FpuState {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("FpuState").finish_non_exhaustive()
    }
}

impl FpuState {
    /// Save the CPU's FPU registers here.
    pub(crate) fn save(&mut self) {
        let area = self.area.as_mut_ptr();
        if USE_XSAVE.load(Ordering::Relaxed) {
            // SAFETY: a 64-aligned area big enough for every enabled
            // component (checked at boot); OSXSAVE is on.
            unsafe {
                core::arch::asm!("xsave64 [{}]", in(reg) area, in("eax") u32::MAX, in("edx") u32::MAX, options(nostack))
            };
        } else {
            // SAFETY: a 16-aligned 512-byte area; OSFXSR is on.
            unsafe { core::arch::asm!("fxsave64 [{}]", in(reg) area, options(nostack)) };
        }
    }

    /// Load the CPU's FPU registers from here.
    pub(crate) fn restore(&self) {
        let area = self.area.as_ptr();
        if USE_XSAVE.load(Ordering::Relaxed) {
            // SAFETY: the area holds a valid image (from `default` or a
            // save); the header's reserved bytes are zero.
            unsafe {
                core::arch::asm!("xrstor64 [{}]", in(reg) area, in("eax") u32::MAX, in("edx") u32::MAX, options(nostack, readonly))
            };
        } else {
            // SAFETY: as above, in FXSAVE format.
            unsafe { core::arch::asm!("fxrstor64 [{}]", in(reg) area, options(nostack, readonly)) };
        }
    }
}

/// What the boot CPU offers.
struct Features {
    xsave: bool,
    avx: bool,
}

fn features() -> Features {
    let leaf1 = cpuid(1, 0);
    Features {
        xsave: leaf1.ecx & (1 << 26) != 0,
        avx: leaf1.ecx & (1 << 28) != 0,
    }
}

/// Set up CR0, CR4 and XCR0 for eager FPU/SSE/AVX switching.
///
/// # Safety
/// Boot code, ring 0, once per CPU.
pub(crate) unsafe fn init() {
    let f = features();
    // SAFETY: enabling the FPU and SSE the way the module doc says changes
    // nothing the kernel relies on (it uses no FPU registers).
    unsafe {
        Cr0::update(|cr0| {
            cr0.remove(Cr0Flags::EMULATE_COPROCESSOR | Cr0Flags::TASK_SWITCHED);
            cr0.insert(Cr0Flags::MONITOR_COPROCESSOR | Cr0Flags::NUMERIC_ERROR);
        });
        Cr4::update(|cr4| {
            cr4.insert(Cr4Flags::OSFXSR | Cr4Flags::OSXMMEXCPT_ENABLE);
            if f.xsave {
                cr4.insert(Cr4Flags::OSXSAVE);
            }
        });
    }
    if f.xsave {
        let mut xcr0 = XCr0Flags::X87 | XCr0Flags::SSE;
        if f.avx {
            xcr0 |= XCr0Flags::AVX;
        }
        // SAFETY: OSXSAVE is on and the CPU supports these components.
        unsafe { XCr0::write(xcr0) };
        // EBX: the standard-format area size for the components in XCR0.
        if cpuid(0xd, 0).ebx as usize > AREA_SIZE {
            // SAFETY: as above; x87 | SSE always fits in 576 bytes.
            unsafe { XCr0::write(XCr0Flags::X87 | XCr0Flags::SSE) };
        }
    }
    USE_XSAVE.store(f.xsave, Ordering::Relaxed);
    // SAFETY: FPU enabled above; start from its init state.
    unsafe { core::arch::asm!("fninit", options(nostack, nomem)) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_state_saved_and_restored_on_the_host_keeps_the_init_control_words() {
        // fxsave64/fxrstor64 are unprivileged: run them on the host.
        let mut state = FpuState::default();
        state.restore();
        let mut copy = FpuState {
            area: [0xaa; AREA_SIZE],
        };
        copy.save();
        assert_eq!(&copy.area[FCW..FCW + 2], &FCW_INIT.to_le_bytes());
        assert_eq!(&copy.area[MXCSR..MXCSR + 4], &MXCSR_INIT.to_le_bytes());
        state.save();
    }
}

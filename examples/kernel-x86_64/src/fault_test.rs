//! Test builds that break the kernel on purpose, after `Kernel::boot` has
//! installed the trap table (`cargo xtask test` boots both and expects a
//! register dump and a failure exit, not a hang):
//!
//! * `kernel-fault-test`: a ring-0 read of an unmapped address. The page
//!   fault reaches ldex-core as a kernel-mode trap, which panics with the
//!   cause (including CR2) and the frame; the panic handler exits QEMU.
//! * `kernel-stack-overflow-test`: unbounded recursion on the boot stack,
//!   which has an unmapped guard page below it ([`crate::memory`]). The
//!   write into the guard page faults, the CPU cannot push that fault's
//!   frame onto the same stack and raises a double fault, which the IDT
//!   sends to the IST1 stack; ldex-arch-x86_64 reports it from there
//!   without touching the broken stack.

use crate::kprint;

/// Far from anything the kernel maps: PML4[0] maps only the first GiB.
#[cfg(feature = "kernel-fault-test")]
const UNMAPPED: usize = 0xdead_0000;

/// Break the kernel the way the enabled feature says.
pub fn run() {
    #[cfg(feature = "kernel-fault-test")]
    {
        kprint!("kernel-fault-test: reading unmapped {UNMAPPED:#x} in ring 0\n");
        // SAFETY: deliberately not: the fault must reach the trap table.
        let _ = unsafe { core::ptr::read_volatile(UNMAPPED as *const u64) };
    }
    #[cfg(feature = "kernel-stack-overflow-test")]
    {
        kprint!("kernel-stack-overflow-test: recursing on the boot stack\n");
        recurse(0);
    }
}

/// Use 512 bytes of stack per call, forever (the compiler cannot turn it
/// into a loop: the result depends on the frame after the call returns).
#[cfg(feature = "kernel-stack-overflow-test")]
#[inline(never)]
fn recurse(depth: u64) -> u64 {
    let frame = core::hint::black_box([depth; 64]);
    if core::hint::black_box(depth) == u64::MAX {
        return 0;
    }
    recurse(depth + 1).wrapping_add(frame[depth as usize % 64])
}

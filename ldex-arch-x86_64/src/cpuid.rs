//! CPUID: what the CPU offers, asked in one place.

use core::arch::x86_64::{__cpuid_count, CpuidResult};

/// CPUID leaf `leaf`, sub-leaf `sub` (0 for leaves without sub-leaves).
///
/// `core::arch`'s `__cpuid_count` became a safe function after Rust 1.88,
/// the MSRV: there it is still `unsafe`, so the block below is needed on
/// 1.88 and redundant on later toolchains, hence the `allow`.
#[allow(unused_unsafe)]
pub fn cpuid(leaf: u32, sub: u32) -> CpuidResult {
    // SAFETY: every x86_64 CPU has CPUID, and it only reads.
    unsafe { __cpuid_count(leaf, sub) }
}

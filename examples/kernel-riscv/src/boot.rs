//! The first instructions: from OpenSBI to Rust.
//!
//! OpenSBI enters `_start` in S-mode with paging off, interrupts off,
//! `a0` = hart id and `a1` = the device tree's physical address. `_start`
//! takes the boot stack (the linker script reserves it at the end of
//! `.bss`), zeroes `.bss` below it, and calls [`crate::kmain`] with the two
//! registers untouched. The boot stack later becomes the scheduler's stack.
//!
//! Only the first hart to arrive boots: OpenSBI 1.1's `hart_start` marks
//! the hart start-pending *before* it writes the address to start it at,
//! so a hart that polls in between leaves through the firmware's default
//! address, this `_start` (seen once in a loaded CI run: two boot banners,
//! then `AlreadyBooted`). `_start` claims the boot with an atomic swap on
//! a word in `.data` (which the `.bss` clearing does not touch); a later
//! hart takes the secondary way in ([`crate::smp`]), whose CPU id the
//! booting hart published before it asked for the start.

core::arch::global_asm!(
    ".pushsection .text.boot, \"ax\"",
    ".globl _start",
    "_start:",
    "    lla t0, {claimed}",
    "    li t1, 1",
    // Global asm does not see the target's extensions: name A here.
    "    .option push",
    "    .option arch, +a",
    "    amoswap.w.aq t1, t1, (t0)",
    "    .option pop",
    "    beqz t1, 4f",
    "    j {late}",
    "4:  la sp, __boot_stack_top",
    "    la t0, __bss_start",
    "    la t1, __boot_stack_bottom",
    "1:  bgeu t0, t1, 2f",
    "    sb zero, 0(t0)",
    "    addi t0, t0, 1",
    "    j 1b",
    "2:  call {kmain}",
    "3:  wfi",
    "    j 3b",
    ".popsection",
    kmain = sym crate::kmain,
    claimed = sym BOOT_CLAIMED,
    late = sym crate::smp::secondary_late_start,
);

/// Nonzero once a hart has taken the boot (in `.data`, not cleared with
/// `.bss`).
#[unsafe(link_section = ".data")]
static BOOT_CLAIMED: core::sync::atomic::AtomicU32 = core::sync::atomic::AtomicU32::new(0);

//! The first instructions: from OpenSBI to Rust.
//!
//! OpenSBI enters `_start` in S-mode with paging off, interrupts off,
//! `a0` = hart id and `a1` = the device tree's physical address. `_start`
//! takes the boot stack (the linker script reserves it at the end of
//! `.bss`), zeroes `.bss` below it, and calls [`crate::kmain`] with the two
//! registers untouched. The boot stack later becomes the scheduler's stack.

core::arch::global_asm!(
    ".pushsection .text.boot, \"ax\"",
    ".globl _start",
    "_start:",
    "    la sp, __boot_stack_top",
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
);

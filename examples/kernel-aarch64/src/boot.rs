//! The first instructions: from QEMU's Linux boot protocol to Rust.
//!
//! The image starts with the Linux arm64 Image header
//! (`Documentation/arch/arm64/booting.rst`): QEMU recognises its magic,
//! loads the image 2 MiB into RAM (text offset 0), puts the device tree and
//! the initrd above the `image_size` it declares, and enters the first
//! instruction at EL1 with the MMU off, `DAIF` masked and x0 = the device
//! tree's physical address. (Loaded as a plain ELF, the kernel would get x0
//! = 0 and no device tree.) `_start` takes the boot stack (the linker
//! script reserves it at the end of `.bss`), zeroes `.bss` below it, and
//! calls [`crate::kmain`] with x0 untouched. The boot stack later becomes
//! the scheduler's stack.
//!
//! ```text
//!   offset  field          value
//!   0       code0          b 1f (over the header)
//!   4       code1          0
//!   8       text_offset    0
//!   16      image_size     __image_size (from link.ld)
//!   24      flags          0b0010: little endian, 4 KiB pages
//!   32..56  res2..res4     0
//!   56      magic          "ARM\x64"
//!   60      res5           0 (no PE/COFF header)
//! ```

core::arch::global_asm!(
    ".pushsection .text.boot, \"ax\"",
    ".globl _start",
    "_start:",
    "    b 1f",
    "    .long 0",
    "    .quad 0",
    "    .quad __image_size",
    "    .quad 0b0010",
    "    .quad 0, 0, 0",
    "    .ascii \"ARM\\x64\"",
    "    .long 0",
    "1:  adrp x9, __boot_stack_top",
    "    add x9, x9, :lo12:__boot_stack_top",
    "    mov sp, x9",
    "    adrp x9, __bss_start",
    "    add x9, x9, :lo12:__bss_start",
    "    adrp x10, __boot_stack_bottom",
    "    add x10, x10, :lo12:__boot_stack_bottom",
    "2:  cmp x9, x10",
    "    b.hs 3f",
    "    str xzr, [x9], #8",
    "    b 2b",
    "3:  bl {kmain}",
    "4:  wfi",
    "    b 4b",
    ".popsection",
    kmain = sym crate::kmain,
);

//! From QEMU's PVH entry to Rust in long mode.
//!
//! QEMU `-kernel` finds the PVH note (Xen ELF note type 18,
//! XEN_ELFNOTE_PHYS32_ENTRY) and jumps to [`pvh_start32`] in 32-bit protected
//! mode, paging off, with ebx = the physical address of `hvm_start_info`.
//! The trampoline:
//!
//! 1. identity-maps 4 GiB with 2 MiB pages (PML4[0]) and maps the same 4 GiB
//!    again at [`PHYS_OFFSET`] (PML4[256], the kernel's direct map),
//! 2. turns on PAE, long mode (EFER.LME) and paging, with CR0.WP so that
//!    read-only pages bind ring 0 too (the kernel's W^X, [`crate::memory`]),
//! 3. far-jumps to 64-bit code through a two-entry GDT,
//! 4. calls `kmain(start_info)` on the boot stack (which becomes the
//!    scheduler's stack).
//!
//! [`crate::memory`] then replaces both with its own tables before any
//! process exists: PML4[0] maps the kernel image only (the low 4 MiB,
//! supervisor, W^X) and PML4[256] a direct map without execute.

/// Where all physical memory (the first 4 GiB) is mapped for the kernel.
pub const PHYS_OFFSET: u64 = 0xffff_8000_0000_0000;
/// Bytes of the boot (= scheduler) stack.
pub const BOOT_STACK_SIZE: usize = 64 * 1024;

core::arch::global_asm!(
    r#"
    .section .note.Xen, "a", @note
    .balign 4
    .long 4
    .long 8
    .long 18
    .asciz "Xen"
    .balign 4
    .quad pvh_start32
    .balign 4

    .section .bss.boot, "aw", @nobits
    .balign 4096
    .global boot_pml4
boot_pml4: .skip 4096
    .global boot_pdpt
boot_pdpt: .skip 4096
boot_pd:   .skip 4096 * 4
    .global boot_stack_guard
boot_stack_guard: .skip 4096
boot_stack: .skip {stack_size}
boot_stack_top:
boot_info: .skip 8

    .section .rodata.boot, "a"
    .balign 16
boot_gdt:
    .quad 0
    .quad 0x00af9a000000ffff
    .quad 0x00cf92000000ffff
boot_gdt_end:
boot_gdt_ptr:
    .word boot_gdt_end - boot_gdt - 1
    .long boot_gdt

    .section .text.pvh, "ax"
    .code32
    .global pvh_start32
pvh_start32:
    cli
    movl %ebx, boot_info
    xorl %ecx, %ecx
1:  movl %ecx, %eax
    shll $21, %eax
    orl $0x83, %eax
    movl %eax, boot_pd(,%ecx,8)
    movl %ecx, %eax
    shrl $11, %eax
    movl %eax, boot_pd+4(,%ecx,8)
    incl %ecx
    cmpl $2048, %ecx
    jb 1b
    movl $boot_pd + 0x003, boot_pdpt
    movl $boot_pd + 0x1003, boot_pdpt + 8
    movl $boot_pd + 0x2003, boot_pdpt + 16
    movl $boot_pd + 0x3003, boot_pdpt + 24
    movl $boot_pdpt + 0x003, boot_pml4
    movl $boot_pdpt + 0x003, boot_pml4 + 256 * 8
    movl %cr4, %eax
    orl $0x20, %eax
    movl %eax, %cr4
    movl $boot_pml4, %eax
    movl %eax, %cr3
    movl $0xc0000080, %ecx
    rdmsr
    orl $0x100, %eax
    wrmsr
    movl %cr0, %eax
    orl $0x80010001, %eax
    movl %eax, %cr0
    lgdt boot_gdt_ptr
    ljmp $0x08, $2f
    .code64
2:  movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    movq $boot_stack_top, %rsp
    movl boot_info, %edi
    call {kmain}
3:  hlt
    jmp 3b
    .code64
    "#,
    stack_size = const BOOT_STACK_SIZE,
    kmain = sym crate::kmain,
    options(att_syntax)
);

/// The page below the boot (= scheduler) stack, which
/// [`crate::memory::init_kernel_space`] leaves unmapped: an overflow faults
/// there (and double-faults onto the IST stack) instead of overwriting the
/// boot page tables.
pub fn boot_stack_guard() -> u64 {
    unsafe extern "C" {
        static boot_stack_guard: u8;
    }
    (&raw const boot_stack_guard) as u64
}

/// The PVH `hvm_start_info` (version 1).
#[repr(C)]
pub struct StartInfo {
    /// 0x336ec578.
    pub magic: u32,
    /// 0 or 1 (1 adds the memory map).
    pub version: u32,
    /// Flags.
    pub flags: u32,
    /// Entries in the module list.
    pub nr_modules: u32,
    /// Physical address of the module list.
    pub modlist_paddr: u64,
    /// Physical address of the NUL-terminated command line (0: none).
    pub cmdline_paddr: u64,
    /// Physical address of the ACPI RSDP.
    pub rsdp_paddr: u64,
    /// Physical address of the memory map (version 1; `kernel_common::pvh`
    /// reads it).
    pub memmap_paddr: u64,
    /// Entries in the memory map.
    pub memmap_entries: u32,
    /// Reserved.
    pub reserved: u32,
}

/// One module (the initrd) in the PVH module list.
#[repr(C)]
pub struct Module {
    /// Physical start.
    pub paddr: u64,
    /// Bytes.
    pub size: u64,
    /// Its command line.
    pub cmdline_paddr: u64,
    /// Reserved.
    pub reserved: u64,
}

/// The PVH start-info magic.
pub const START_INFO_MAGIC: u32 = 0x336e_c578;

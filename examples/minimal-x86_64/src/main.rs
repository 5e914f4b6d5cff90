//! # minimal-x86_64: the smallest kernel on ldex, for x86_64
//!
//! What an author writes to put limited direct execution (OSTEP chapter 6)
//! on QEMU's PC with ldex-core and ldex-arch-x86_64, and nothing else: boot
//! code, a console, power-off, an [`Os`] with two system calls, and two
//! processes whose code is part of this image. `spinner` loops for ever
//! until the kernel kills it at its CPU-time limit; `hello` writes one line
//! and exits. When both have ended the kernel exits QEMU with status 33
//! (isa-debug-exit's `16 << 1 | 1`); a panic exits with 3.
//!
//! # Memory
//! QEMU `-kernel` finds the PVH note and enters `pvh_start` in 32-bit
//! protected mode with paging off. Long mode needs paging, so the boot code
//! identity-maps the first 4 GiB with 2 MiB pages (the local APIC is at
//! 0xfee00000) and turns it on. Ring 3 may touch a page only if every level
//! of the walk has the U bit: the PML4 and PDPT entries have it, and of the
//! 2 MiB pages only the one at 2 MiB, where `link.ld` puts the `.user`
//! section (the user programs and their stacks). So user mode reaches that
//! page and nothing else; everything one process can touch, the other can
//! too. `examples/kernel-x86_64/src/memory.rs` gives each process its own
//! PML4 and passes it to `Kernel::spawn`.
#![no_std]
#![no_main]

use core::fmt::Write;
use core::time::Duration;

use ldex_arch_x86_64::supervisor::with_user_access;
use ldex_arch_x86_64::timer::LAPIC_PHYS;
use ldex_arch_x86_64::{Timer, X86_64};
use ldex_core::kstack::KernelStacks;
use ldex_core::proc::{Ending, ProcInfo};
use ldex_core::sched::{Hint, RoundRobin};
use ldex_core::syscall::{SyscallCx, errno};
use ldex_core::user::{UserMemory, UserSlice};
use ldex_core::{AccessKind, BootToken, Config, Kernel, Os, SyscallAction};

/// A timer tick every 10 ms.
const TICK: Duration = Duration::from_millis(10);
/// A process may run for 10 ticks (100 ms) before the kernel kills it.
const CPU_LIMIT: u64 = 10;
/// COM1's transmit register: QEMU's `-serial stdio`.
const COM1: u16 = 0x3f8;
/// QEMU's `isa-debug-exit` port: writing `v` exits with `v << 1 | 1`.
const DEBUG_EXIT: u16 = 0xf4;

core::arch::global_asm!(
    r#"
    .section .note.Xen, "a", @note      # XEN_ELFNOTE_PHYS32_ENTRY
    .balign 4
    .long 4, 8, 18
    .asciz "Xen"
    .balign 4
    .quad pvh_start

    # QEMU's ELF loader zero-fills .bss: the page tables start empty.
    .section .bss.boot, "aw", @nobits
    .balign 4096
pml4: .skip 4096
pdpt: .skip 4096
pds:  .skip 4 * 4096                    # 2048 entries of 2 MiB: 4 GiB
    .skip 65536
boot_stack_top:

    .section .rodata.boot, "a"
    .balign 8
gdt: .quad 0, 0x00af9a000000ffff, 0x00cf92000000ffff   # null, code64, data
gdt_ptr: .word 23
    .long gdt

    .section .text.boot, "ax"
    .code32
pvh_start:
    xorl %ecx, %ecx
1:  movl %ecx, %eax                     # pds[ecx] = ecx * 2 MiB | PS | RW | P
    shll $21, %eax
    orl $0x83, %eax
    movl %eax, pds(,%ecx,8)
    movl %ecx, %eax
    shrl $11, %eax
    movl %eax, pds+4(,%ecx,8)
    incl %ecx
    cmpl $2048, %ecx
    jb 1b
    orl $4, pds + 8                     # U: the page at 2 MiB is the user's
    movl $pds + 0x0007, pdpt            # U | RW | P on the upper levels
    movl $pds + 0x1007, pdpt + 8
    movl $pds + 0x2007, pdpt + 16
    movl $pds + 0x3007, pdpt + 24
    movl $pdpt + 7, pml4
    movl $pml4, %eax
    movl %eax, %cr3
    movl %cr4, %eax
    orl $0x20, %eax                     # PAE
    movl %eax, %cr4
    movl $0xc0000080, %ecx              # EFER.LME
    rdmsr
    orl $0x100, %eax
    wrmsr
    movl %cr0, %eax
    orl $0x80000001, %eax               # paging on: long mode
    movl %eax, %cr0
    lgdt gdt_ptr
    ljmp $0x08, $2f
    .code64
2:  movl $0x10, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %ss
    movq $boot_stack_top, %rsp
    call {kmain}

    # The user programs: Linux x86_64 system calls (rax = number).
    .section .user.text, "ax"
    .globl user_spinner, user_hello
user_spinner:
    jmp user_spinner
user_hello:
    movl $1, %eax                       # write(1, hello_msg, len)
    movl $1, %edi
    leaq hello_msg(%rip), %rsi
    movl $hello_end - hello_msg, %edx
    syscall
    movl $60, %eax                      # exit(0)
    xorl %edi, %edi
    syscall
hello_msg: .ascii "hello from user mode\n"
hello_end:
    .section .user.stack, "aw", @nobits
    .balign 16
    .skip 2 * 4096
    .globl user_stacks_top
user_stacks_top:
    "#,
    kmain = sym kmain,
    options(att_syntax)
);

unsafe extern "C" {
    static __user_start: u8;
    static __user_end: u8;
    static user_spinner: u8;
    static user_hello: u8;
    static user_stacks_top: u8;
}

/// Write `value` to I/O port `port`.
///
/// # Safety
/// The port is one this kernel owns (COM1, the debug-exit port).
unsafe fn outb(port: u16, value: u8) {
    // SAFETY: forwarded contract.
    unsafe { core::arch::asm!("out dx, al", in("dx") port, in("al") value) };
}

/// The console: COM1, which QEMU needs no set-up for.
struct Console;

impl Console {
    fn put(bytes: &[u8]) {
        for &b in bytes {
            // SAFETY: COM1 is the console.
            unsafe { outb(COM1, b) };
        }
    }
}

impl Write for Console {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        Console::put(s.as_bytes());
        Ok(())
    }
}

macro_rules! println {
    ($($arg:tt)*) => { let _ = writeln!(Console, $($arg)*); };
}

/// Exit QEMU: status 33 for success, 3 for failure.
fn power_off(success: bool) -> ! {
    // SAFETY: the debug-exit port only stops the machine.
    unsafe { outb(DEBUG_EXIT, if success { 16 } else { 1 }) };
    loop {
        core::hint::spin_loop();
    }
}

/// The operating system: `write` to the console, `exit`, and a line for
/// every process that ends.
struct MinimalOs;

impl UserMemory for MinimalOs {
    /// Every process owns exactly the user page.
    fn allows(&self, addr: usize, len: usize, _access: AccessKind) -> bool {
        let (start, end) = (
            &raw const __user_start as usize,
            &raw const __user_end as usize,
        );
        addr >= start && addr.checked_add(len).is_some_and(|e| e <= end)
    }
}

impl Os<X86_64> for MinimalOs {
    fn syscall(&self, cx: &mut SyscallCx<'_, X86_64>) -> SyscallAction {
        let [a0, a1, a2, ..] = cx.args();
        match cx.nr() {
            1 if a0 != 1 && a0 != 2 => SyscallAction::Return(errno::ret(errno::EBADF)),
            1 => match UserSlice::new(a1, a2).check(self, AccessKind::Read) {
                Ok(buf) => {
                    // SAFETY: one address space: the checked bytes are there,
                    // and with_user_access lifts SMAP around the read.
                    with_user_access(|| Console::put(unsafe { buf.as_bytes() }));
                    SyscallAction::Return(buf.len())
                }
                Err(fault) => SyscallAction::Return(fault.errno()),
            },
            60 => SyscallAction::Exit(a0 as i32),
            _ => SyscallAction::Return(errno::ret(errno::ENOSYS)),
        }
    }

    fn process_ended(&self, info: &ProcInfo, ending: &Ending) {
        println!("[pid {} {}] {ending}", info.pid, info.name);
    }
}

/// Their kernel stacks, 16 KiB each: all zero, so in `.bss`.
static STACKS: KernelStacks<2, 16384> = KernelStacks::new();

/// Two processes, round robin with a one-tick quantum, preempted every tick.
static KERNEL: Kernel<X86_64, RoundRobin, MinimalOs, 2> = Kernel::new(
    Config::preemptive(TICK).with_cpu_limit(CPU_LIMIT),
    RoundRobin::new(1),
    MinimalOs,
    &STACKS,
);

/// The Rust entry, on the boot stack, which becomes the scheduler's.
extern "C" fn kmain() -> ! {
    // SAFETY: boot code in ring 0, once.
    let token = unsafe { BootToken::new() };
    // SAFETY: the boot CPU is CPU 0, before any kernel call reads the id
    // (`X86_64::cpu_id` reads it from the per-CPU area this points GS at).
    unsafe { ldex_arch_x86_64::smp::set_cpu_id(&token, 0) };
    println!("minimal-x86_64: booting");
    // SAFETY: the identity map covers the local APIC; interrupts are off.
    let timer = unsafe { Timer::calibrate(&token, LAPIC_PHYS as usize) };
    KERNEL.boot(&token, Some(timer)).expect("boot once");
    let stacks = &raw const user_stacks_top as usize;
    for (name, entry, stack) in [
        ("spinner", &raw const user_spinner, stacks - 4096),
        ("hello", &raw const user_hello, stacks),
    ] {
        KERNEL
            .spawn(name, entry as usize, stack, None, Hint::NONE)
            .expect("two slots");
    }
    let summary = KERNEL.run().expect("booted");
    println!(
        "minimal-x86_64: all processes ended after {} ticks",
        summary.ticks
    );
    power_off(true)
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    println!("minimal-x86_64: panic: {info}");
    power_off(false)
}

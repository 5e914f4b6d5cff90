//! # minimal-riscv: the smallest kernel on ldex, for RISC-V
//!
//! What an author writes to put limited direct execution (OSTEP chapter 6)
//! on QEMU `virt` (rv64) with ldex-core and ldex-arch-riscv, and nothing
//! else: boot code, a console, power-off, an [`Os`] with two system calls,
//! and two processes whose code is part of this image. `spinner` loops for
//! ever until the kernel kills it at its CPU-time limit; `hello` writes one
//! line and exits. When both have ended the kernel powers off with status 0
//! (a panic powers off with 1).
//!
//! # Memory
//! OpenSBI enters `_start` in S-mode at 0x80200000 with paging off. The
//! kernel builds one Sv39 address space from 2 MiB megapages and 1 GiB
//! gigapages, identity-mapped (virtual = physical), and hands it to
//! `Kernel::spawn` for both processes:
//!
//! ```text
//!   root[0]  0x0000_0000..0x4000_0000  gigapage, RW      the UART, the test device
//!   root[2]  0x8000_0000..0xc000_0000  -> MEGA (one table of 512 megapages)
//!     MEGA[1]  0x8020_0000 (2 MiB)     RWX               the whole kernel
//!     MEGA[2]  0x8040_0000 (2 MiB)     RWX, U            `.user`: code and stacks
//! ```
//!
//! Only the `.user` megapage has the U bit, so user mode can touch nothing
//! else; both processes share it (a kernel with a page table per process is
//! `examples/kernel-riscv/src/vm.rs`). `link.ld` keeps the kernel inside its
//! megapage. The kernel runs bare until the first process is entered, then
//! in this same space: `Arch::enter_process` loads its `satp`. It reads
//! `.user` for a process only inside `with_user_access` (`sstatus.SUM`).
#![no_std]
#![no_main]

use core::fmt::Write;
use core::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use core::time::Duration;

use ldex_arch_riscv::supervisor::with_user_access;
use ldex_arch_riscv::{Riscv, Satp, Timer};
use ldex_core::kstack::KernelStacks;
use ldex_core::proc::{Ending, ProcInfo};
use ldex_core::sched::{Hint, RoundRobin};
use ldex_core::syscall::{SyscallCx, errno};
use ldex_core::user::{UserMemory, UserSlice};
use ldex_core::{AccessKind, BootToken, Config, Kernel, Os, SyscallAction};

/// QEMU virt's `time` CSR counts at 10 MHz (its device tree says so).
const TIMEBASE_HZ: u64 = 10_000_000;
/// A timer tick every 10 ms.
const TICK: Duration = Duration::from_millis(10);
/// A process may run for 10 ticks (100 ms) before the kernel kills it.
const CPU_LIMIT: u64 = 10;
/// QEMU virt's 16550 UART: writing its transmit register prints a byte.
const UART: usize = 0x1000_0000;
/// QEMU virt's SiFive test device: 0x5555 powers off with status 0,
/// `code << 16 | 0x3333` with `code`.
const TEST_DEVICE: usize = 0x10_0000;

core::arch::global_asm!(
    // OpenSBI: S-mode, paging and interrupts off, a0 = hart, a1 = device tree.
    // QEMU's ELF loader zero-fills .bss, so there is nothing to clear.
    ".section .text.boot, \"ax\"",
    ".globl _start",
    "_start:",
    "    la sp, boot_stack_top",
    "    call {kmain}",
    ".section .bss.boot_stack, \"aw\", @nobits",
    ".balign 16",
    "    .skip 65536",
    "boot_stack_top:",
    // The user programs: Linux RISC-V system calls (a7 = number).
    ".section .user.text, \"ax\"",
    ".globl user_spinner, user_hello",
    "user_spinner:",
    "    j user_spinner",
    "user_hello:",
    "    li a0, 1",
    "    la a1, hello_msg",
    "    li a2, hello_end - hello_msg",
    "    li a7, 64", // write(1, hello_msg, len)
    "    ecall",
    "    li a0, 0",
    "    li a7, 93", // exit(0)
    "    ecall",
    "hello_msg: .ascii \"hello from user mode\\n\"",
    "hello_end:",
    ".section .user.stack, \"aw\", @nobits",
    ".balign 16",
    ".globl user_stacks_top",
    "    .skip 2 * 4096",
    "user_stacks_top:",
    kmain = sym kmain,
);

unsafe extern "C" {
    static __kernel_start: u8;
    static __user_start: u8;
    static __user_end: u8;
    static user_spinner: u8;
    static user_hello: u8;
    static user_stacks_top: u8;
}

/// One Sv39 page table: 512 entries (atomics, so a `static` can be filled
/// at boot without `unsafe`).
#[repr(C, align(4096))]
struct Table([AtomicUsize; 512]);

static ROOT: Table = Table([const { AtomicUsize::new(0) }; 512]);
static MEGA: Table = Table([const { AtomicUsize::new(0) }; 512]);

/// PTE bits: valid, read, write, execute, user, accessed and dirty (set up
/// front: nothing here counts on a page fault to set them).
const V: usize = 1;
const RW: usize = 0b110;
const X: usize = 1 << 3;
const U: usize = 1 << 4;
const AD: usize = 3 << 6;

/// The entry mapping (or, with no R/W/X, pointing at) physical `pa`.
fn pte(pa: usize, flags: usize) -> usize {
    ((pa >> 12) << 10) | flags | V
}

/// Fill the tables of the map in the module doc; the `satp` that selects them.
fn address_space() -> Satp {
    let mega = |pa: usize| &MEGA.0[(pa >> 21) & 511];
    let (kernel, user) = (
        &raw const __kernel_start as usize,
        &raw const __user_start as usize,
    );
    ROOT.0[0].store(pte(0, RW | AD), Relaxed);
    ROOT.0[2].store(pte(&raw const MEGA as usize, 0), Relaxed);
    mega(kernel).store(pte(kernel, RW | X | AD), Relaxed);
    mega(user).store(pte(user, RW | X | U | AD), Relaxed);
    // SAFETY: the tables map the kernel (code, data, stacks, devices) where
    // it runs now, identity-mapped, and are statics never changed again.
    unsafe { Satp::new(&raw const ROOT as usize, 0) }
}

/// The console: QEMU's UART needs no set-up and never makes us wait.
struct Console;

impl Console {
    fn put(bytes: &[u8]) {
        for &b in bytes {
            // SAFETY: the UART's transmit register, identity-addressed.
            unsafe { core::ptr::write_volatile(UART as *mut u8, b) };
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

/// Power QEMU off with `code` (0 = success).
fn power_off(code: u16) -> ! {
    let value = if code == 0 {
        0x5555
    } else {
        u32::from(code) << 16 | 0x3333
    };
    // SAFETY: the test device only stops the machine.
    unsafe { core::ptr::write_volatile(TEST_DEVICE as *mut u32, value) };
    loop {
        core::hint::spin_loop();
    }
}

/// The operating system: `write` to the console, `exit`, and a line for
/// every process that ends.
struct MinimalOs;

impl UserMemory for MinimalOs {
    /// Every process owns exactly the `.user` section.
    fn allows(&self, addr: usize, len: usize, _access: AccessKind) -> bool {
        let (start, end) = (
            &raw const __user_start as usize,
            &raw const __user_end as usize,
        );
        addr >= start && addr.checked_add(len).is_some_and(|e| e <= end)
    }
}

impl Os<Riscv> for MinimalOs {
    fn syscall(&self, cx: &mut SyscallCx<'_, Riscv>) -> SyscallAction {
        let [a0, a1, a2, ..] = cx.args();
        match cx.nr() {
            64 if a0 != 1 && a0 != 2 => SyscallAction::Return(errno::ret(errno::EBADF)),
            64 => match UserSlice::new(a1, a2).check(self, AccessKind::Read) {
                Ok(buf) => {
                    // SAFETY: the one address space is current (identity
                    // mapped) and SUM lets the kernel read the U page.
                    with_user_access(|| Console::put(unsafe { buf.as_bytes() }));
                    SyscallAction::Return(buf.len())
                }
                Err(fault) => SyscallAction::Return(fault.errno()),
            },
            93 => SyscallAction::Exit(a0 as i32),
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
static KERNEL: Kernel<Riscv, RoundRobin, MinimalOs, 2> = Kernel::new(
    Config::preemptive(TICK).with_cpu_limit(CPU_LIMIT),
    RoundRobin::new(1),
    MinimalOs,
    &STACKS,
);

/// The Rust entry, on the boot stack, which becomes the scheduler's, with
/// OpenSBI's `a0`: the hart id.
extern "C" fn kmain(hart: usize) -> ! {
    // SAFETY: boot code in S-mode, once.
    let token = unsafe { BootToken::new() };
    // SAFETY: the one hart is CPU 0 (`tp`), before any kernel call reads
    // it: the firmware leaves its own value in `tp`.
    unsafe { ldex_arch_riscv::smp::set_cpu_id(&token, 0, hart) };
    println!("minimal-riscv: booting");
    let timer = Timer::new(&token, TIMEBASE_HZ);
    KERNEL.boot(&token, Some(timer)).expect("boot once");
    let space = address_space();
    let stacks = &raw const user_stacks_top as usize;
    for (name, entry, stack) in [
        ("spinner", &raw const user_spinner, stacks - 4096),
        ("hello", &raw const user_hello, stacks),
    ] {
        KERNEL
            .spawn(name, entry as usize, stack, Some(space), Hint::NONE)
            .expect("two slots");
    }
    let summary = KERNEL.run().expect("booted");
    println!(
        "minimal-riscv: all processes ended after {} ticks",
        summary.ticks
    );
    power_off(0)
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    println!("minimal-riscv: panic: {info}");
    power_off(1)
}

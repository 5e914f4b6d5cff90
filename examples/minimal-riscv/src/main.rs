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
//! OpenSBI enters `_start` in S-mode at 0x80200000 with paging off, and
//! this kernel leaves it off (`satp` = 0, bare mode): every address is
//! physical, for the kernel and for user mode alike. U-mode may then reach
//! any RAM that the PMP allows, and OpenSBI's last PMP entry gives S- and
//! U-mode all of it (its own region aside). So user code can be plain
//! functions of this image, in the `.user` section of `link.ld`; the
//! processes are held to their time slice and out of privileged state
//! (CSRs, `sret`, `wfi`), but *not* out of the kernel's memory. The [`Os`]
//! still reads only `.user` on their behalf. Memory isolation is a page
//! table away: `examples/kernel-riscv/src/vm.rs` gives each process its own
//! Sv39 space and passes it to `Kernel::spawn`.
#![no_std]
#![no_main]

use core::fmt::Write;
use core::time::Duration;

use ldex_arch_riscv::{Riscv, Timer};
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
    static __user_start: u8;
    static __user_end: u8;
    static user_spinner: u8;
    static user_hello: u8;
    static user_stacks_top: u8;
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
        let [a0, a1, a2, ..] = cx.args;
        match cx.nr {
            64 if a0 != 1 && a0 != 2 => SyscallAction::Return(errno::ret(errno::EBADF)),
            64 => match UserSlice::new(a1, a2).check(self, AccessKind::Read) {
                Ok(buf) => {
                    // SAFETY: bare mode: the checked addresses are the bytes.
                    Console::put(unsafe { buf.as_bytes() });
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

/// The Rust entry, on the boot stack, which becomes the scheduler's.
extern "C" fn kmain() -> ! {
    // SAFETY: boot code in S-mode, once.
    let token = unsafe { BootToken::new() };
    println!("minimal-riscv: booting");
    let timer = Timer::new(&token, TIMEBASE_HZ);
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

//! # kernel-riscv: the RISC-V example kernel of ldex
//!
//! A small kernel that shows how to put a hobby OS on ldex: it boots under
//! OpenSBI on QEMU `virt` (rv64 and rv32), reads static ELF programs from
//! the initrd and runs each as a process in its own Sv39/Sv32 address space,
//! preempted by the timer, with the Linux system calls of
//! `kernel_common::os`. What ldex does and what is left to the kernel:
//!
//! | ldex-core / ldex-arch-riscv              | this kernel                         |
//! |------------------------------------------|-------------------------------------|
//! | trap entry/exit, swtch, trap table       | boot (`boot.rs`), device tree       |
//! | timer device, periodic tick              | UART, power-off (`board.rs`)        |
//! | process table, scheduler loop, exit/kill | frames and page tables (`vm.rs`)    |
//! | system call dispatch (`kernel_common`)   | ELF + stack loading (`loader.rs`)   |
//!
//! The boot, step by step ([`kmain`]): read the device tree, parse the
//! command line, hand free RAM to the frame allocator, turn on paging with
//! a kernel-only address space, detect the timer, build the [`Kernel`](ldex_core::Kernel),
//! boot it (trap table, timer), load the programs, and run until no process
//! is left; then power off with status 0. A missing or empty initrd, or an
//! initrd with nothing runnable, exits with status 2 or 3; a kernel panic
//! with 1.
#![cfg_attr(target_os = "none", no_std, no_main)]
#![forbid(unsafe_op_in_unsafe_fn)]

#[cfg(target_os = "none")]
mod board;
#[cfg(target_os = "none")]
mod boot;
#[cfg(target_os = "none")]
mod dtb;
#[cfg(target_os = "none")]
mod frames;
#[cfg(target_os = "none")]
mod loader;
#[cfg(target_os = "none")]
mod platform;
#[cfg(target_os = "none")]
mod vm;

#[cfg(target_os = "none")]
pub use kernel::{KernelT, kmain};

/// The host build: the kernel is bare-metal only (`cargo xtask test
/// qemu:riscv` boots it); on the host it only says so.
#[cfg(not(target_os = "none"))]
fn main() {
    eprintln!(
        "kernel-riscv runs on QEMU: build it for riscv64gc-unknown-none-elf or riscv32imac-unknown-none-elf"
    );
}

#[cfg(target_os = "none")]
mod kernel {
    use core::time::Duration;

    use kernel_common::cmdline::CmdLine;
    use kernel_common::console::print;
    use kernel_common::initrd;
    use kernel_common::os::ExampleOs;
    use ldex_arch_riscv::{Riscv, Timer, TimerKind};
    use ldex_core::{BootToken, Config, Kernel, KernelPreemption};

    use crate::board::{self, Uart};
    use crate::dtb;
    use crate::frames;
    use crate::loader;
    use crate::platform::Board;
    use crate::vm::AddressSpace;
    use ldex_core::sched::RoundRobin;

    /// The process-table size (the full-set boot of `cargo xtask test`
    /// runs 34 programs at once).
    pub const MAX_PROCS: usize = 40;
    /// The timer tick, converted at boot with the timebase the device tree
    /// gives.
    const TICK: Duration = Duration::from_millis(10);
    /// The CPU-time limit when the command line names none: 2 s.
    const DEFAULT_CPU_LIMIT: u64 = 200;
    /// The time slice when the command line names none: 1 tick.
    const DEFAULT_QUANTUM: u64 = 1;

    /// This kernel's instance of the protocol.
    pub type KernelT = Kernel<Riscv, RoundRobin, ExampleOs<Riscv, Board, MAX_PROCS>, MAX_PROCS>;

    /// The kernel, with every process's kernel stack inside: a `static`
    /// built at compile time (it is half a megabyte, too big to build on a
    /// stack). Preemptive with a 10 ms tick, system calls preemptible; the
    /// command line's CPU-time limit reaches it through
    /// `Kernel::set_cpu_limit` at boot.
    static KERNEL: KernelT = Kernel::new(
        Config::preemptive(TICK)
            .with_cpu_limit(DEFAULT_CPU_LIMIT)
            .with_kernel_preemption(KernelPreemption::On),
        RoundRobin::new(DEFAULT_QUANTUM),
        ExampleOs::new(Board),
    );

    unsafe extern "C" {
        static __kernel_end: u8;
    }

    /// Print a kernel message and power off with `code`.
    fn fail(code: u16, args: core::fmt::Arguments<'_>) -> ! {
        print(&Uart, format_args!("[kernel] {args}\n"));
        board::exit(code)
    }

    /// The kernel's Rust entry, called by `_start` with OpenSBI's `a0`/`a1`.
    pub extern "C" fn kmain(_hart: usize, dtb_pa: usize) -> ! {
        // SAFETY: we are boot code in S-mode, once.
        let token = unsafe { BootToken::new() };
        // SAFETY: a1 from OpenSBI is the device tree, which nothing writes.
        let info = match unsafe { dtb::read(dtb_pa) } {
            Ok(info) => info,
            Err(e) => fail(2, format_args!("{e}")),
        };
        let xlen = usize::BITS;
        print(
            &Uart,
            format_args!(
                "[kernel] ldex kernel-riscv rv{xlen}: RAM {:#x}..{:#x}, timebase {} Hz, cmdline \"{}\"\n",
                info.ram.start, info.ram.end, info.timebase_hz, info.bootargs
            ),
        );
        let cmd = CmdLine::parse(info.bootargs);
        for problem in cmd.problems() {
            print(&Uart, format_args!("[kernel] {problem}\n"));
        }

        let kernel_end = &raw const __kernel_end as usize;
        let free_end = [info.initrd.as_ref().map(|r| r.start), Some(info.dtb.start)]
            .into_iter()
            .flatten()
            .filter(|&a| a >= kernel_end)
            .fold(info.ram.end, usize::min);
        frames::init(kernel_end..free_end);
        let kspace = match AddressSpace::new(&info.ram) {
            Ok(s) => s,
            Err(e) => fail(
                2,
                format_args!("cannot build the kernel address space: {e:?}"),
            ),
        };
        // SAFETY: the new space maps all of RAM (this code, its stack, the
        // device tree, the initrd) and the devices at their identity addresses.
        unsafe {
            core::arch::asm!("csrw satp, {}", "sfence.vma", in(reg) kspace.satp().bits());
        }
        board::use_mmio_alias();
        Board::set_kernel_space(&kspace);

        // User programs may read cycle, time and instret, as on Linux (the
        // bench program counts instructions with rdinstret).
        // SAFETY: only changes which counters U-mode may read.
        unsafe { core::arch::asm!("csrw scounteren, {}", in(reg) 0b111) };
        Board::set_timebase(info.timebase_hz);
        let timer = Timer::new(&token, info.timebase_hz);
        let cpu_limit = cmd.cpu_limit.unwrap_or(DEFAULT_CPU_LIMIT);
        let quantum = cmd.quantum.unwrap_or(DEFAULT_QUANTUM);
        print(
            &Uart,
            format_args!(
                "[kernel] timer: {}, tick {} ms, quantum {quantum}, cpulimit {cpu_limit} ticks, {} free frames\n",
                match timer.kind() {
                    TimerKind::Sstc => "Sstc stimecmp",
                    TimerKind::Sbi => "SBI set_timer",
                },
                TICK.as_millis(),
                frames::remaining()
            ),
        );
        let kernel: &'static KernelT = &KERNEL;
        kernel.with_policy(|policy| policy.set_quantum(quantum));
        kernel.set_cpu_limit(Some(cpu_limit));
        kernel.os().set_tracing(cmd.trace);
        if let Err(e) = kernel.boot(&token, Some(timer)) {
            fail(1, format_args!("boot failed: {e:?}"));
        }
        #[cfg(feature = "kernel-fault-test")]
        {
            print(
                &Uart,
                format_args!("[kernel] kernel-fault-test: reading unmapped 0x1000\n"),
            );
            // SAFETY: 0x1000 is unmapped in the kernel's space, so the read
            // faults and the kernel panics; no memory is touched.
            let _ = unsafe { core::ptr::read_volatile(0x1000 as *const usize) };
        }

        let Some(initrd) = info.initrd.clone().filter(|r| !r.is_empty()) else {
            fail(
                2,
                format_args!(
                    "no initrd: boot QEMU with -initrd ARCHIVE (a cpio newc archive of ELF programs)"
                ),
            )
        };
        // SAFETY: QEMU put the initrd in RAM at this range; nothing writes it
        // (the frame allocator stops below it).
        let archive =
            unsafe { core::slice::from_raw_parts(initrd.start as *const u8, initrd.len()) };
        let mut builder = loader::Builder {
            ram: info.ram.clone(),
            kernel,
            kernel_space: kspace.satp(),
        };
        let forbidden = loader::forbidden(&info.ram);
        let summary = initrd::spawn_all(
            archive,
            &loader::setup(core::slice::from_ref(&forbidden)),
            &mut builder,
            &Uart,
        );
        if summary.started == 0 {
            match summary.damaged {
                Some(_) => fail(
                    2,
                    format_args!("the initrd is not a usable cpio newc archive"),
                ),
                None if summary.refused == 0 => fail(2, format_args!("the initrd holds no files")),
                None => fail(
                    3,
                    format_args!("none of the {} initrd files can run", summary.refused),
                ),
            }
        }
        match kernel.run() {
            Ok(summary) => {
                print(
                    &Uart,
                    format_args!(
                        "[kernel] all {} processes ended after {} ticks; powering off\n",
                        summary.reaped, summary.ticks
                    ),
                );
                board::exit(0)
            }
            Err(e) => fail(1, format_args!("run failed: {e:?}")),
        }
    }

    #[panic_handler]
    fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
        fail(1, format_args!("panic: {info}"))
    }
}

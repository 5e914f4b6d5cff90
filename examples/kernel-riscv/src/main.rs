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
//! | trap entry/exit, swtch, trap table       | firmware entry (`boot.rs`), device tree |
//! | timer device, periodic tick              | UART, power-off (`board.rs`)        |
//! | process table, scheduler loop, exit/kill | page tables (`vm.rs`)               |
//! | **kernel-common**: boot driver, frames, system calls, ELF loading | the address-space half of loading (`loader.rs`) |
//!
//! The firmware entry, step by step ([`kmain`]): read the device tree,
//! hand free RAM to the frame allocator, turn on paging with a kernel-only
//! address space, and detect the timer; then `kernel_common::driver` does
//! the rest (command line, policy, boot, spawn, run) and powers off with
//! its exit code: 0 when every process ended, 1 after a kernel panic, 2 for
//! a missing, empty or damaged initrd, 3 when none of its files can run.
#![cfg_attr(target_os = "none", no_std, no_main)]
#![forbid(unsafe_op_in_unsafe_fn)]
// The conformance build runs the kit instead of the protocol: the rest of
// the boot is unreachable there.
#![cfg_attr(feature = "conformance", allow(unreachable_code, dead_code))]

#[cfg(target_os = "none")]
mod board;
#[cfg(target_os = "none")]
mod boot;
#[cfg(all(target_os = "none", feature = "conformance"))]
mod conformance;
#[cfg(target_os = "none")]
mod dtb;
#[cfg(target_os = "none")]
mod fault_test;
#[cfg(target_os = "none")]
mod loader;
#[cfg(target_os = "none")]
mod platform;
#[cfg(target_os = "none")]
mod plic;
#[cfg(target_os = "none")]
mod smp;
#[cfg(target_os = "none")]
mod vm;

#[cfg(target_os = "none")]
pub(crate) use kernel::KERNEL;
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
    use kernel_common::driver::{self, Boot, ExampleKernel, ExitCode};
    use kernel_common::frames;
    use kernel_common::initrd::SpawnError;
    use ldex_arch_riscv::{Riscv, Satp, Timer, TimerKind};
    use ldex_core::kstack::KernelStacks;
    use ldex_core::{BootToken, KernelPreemption, MAX_CPUS};

    use crate::board::{self, Uart};
    use crate::dtb;
    use crate::loader;
    use crate::platform::Board;
    use crate::vm::{AddressSpace, PAGE};
    use kernel_common::kernel_image::KernelImage;

    /// The process-table size (the full-set boot of `cargo xtask test`
    /// runs 34 programs at once).
    pub const NPROC: usize = 40;

    /// Bytes of each process's kernel stack, of which the lowest page is
    /// its unmapped guard ([`guard_pages`]): 16 KiB stay usable.
    pub const KSTACK: usize = 20 * 1024;

    /// This kernel's instance of the protocol.
    pub type KernelT = ExampleKernel<Riscv, Board, NPROC, KSTACK>;

    /// The processes' kernel stacks: all zero, so in `.bss`, not in the
    /// ELF; page-aligned, so that each stack's lowest page is whole.
    static STACKS: PageAligned<KernelStacks<NPROC, KSTACK>> = PageAligned(KernelStacks::new());

    /// Page alignment for a `static`.
    #[repr(C, align(4096))]
    struct PageAligned<T>(T);

    /// The kernel: a `static` built at compile time. Preemptive with the
    /// driver's tick (converted at boot with the timebase the device tree
    /// gives), system calls preemptible.
    pub(crate) static KERNEL: KernelT = driver::kernel(KernelPreemption::On, Board, &STACKS.0);

    unsafe extern "C" {
        static __kernel_start: u8;
        static __rodata_start: u8;
        static __data_start: u8;
        static __boot_stack_guard: u8;
        static __kernel_end: u8;
    }

    /// The image's layout, from the linker script's symbols.
    fn image() -> KernelImage {
        let start = &raw const __kernel_start as usize;
        let rodata = &raw const __rodata_start as usize;
        let data = &raw const __data_start as usize;
        KernelImage {
            text: start..rodata,
            rodata: rodata..data,
            end: &raw const __kernel_end as usize,
        }
    }

    /// The pages left unmapped so that a stack overflow faults (and the
    /// trap entry reports it from its emergency stack) instead of
    /// overwriting what lies below: the one under the boot (= CPU 0's
    /// scheduler) stack, the lowest page of each process's kernel stack,
    /// and the one under each other CPU's scheduler stack.
    fn guard_pages() -> [usize; 1 + NPROC + MAX_CPUS - 1] {
        let mut pages = [&raw const __boot_stack_guard as usize; 1 + NPROC + MAX_CPUS - 1];
        let processes = KERNEL.kernel_stacks().map(|stack| {
            assert!(
                stack.start.is_multiple_of(PAGE),
                "kernel stacks are page-aligned"
            );
            stack.start
        });
        for (page, guard) in pages[1..]
            .iter_mut()
            .zip(processes.chain(crate::smp::guard_pages()))
        {
            *page = guard;
        }
        pages
    }

    /// Make a loaded program a process of [`KERNEL`].
    fn spawn_process(name: &str, entry: u64, sp: u64, satp: Satp) -> Result<(), SpawnError> {
        driver::spawn(&KERNEL, name, entry, sp, satp)
    }

    /// Print a kernel message and power off with `code`.
    pub(crate) fn fail(code: ExitCode, args: core::fmt::Arguments<'_>) -> ! {
        driver::fail(&Uart, board::exit, code, args)
    }

    /// The kernel's Rust entry, called by `_start` with OpenSBI's `a0`/`a1`.
    pub extern "C" fn kmain(hart: usize, dtb_pa: usize) -> ! {
        // SAFETY: we are boot code in S-mode, once.
        let token = unsafe { BootToken::new() };
        // SAFETY: the boot hart is CPU 0, and no other hart runs yet.
        unsafe { ldex_arch_riscv::smp::set_cpu_id(&token, 0, hart) };
        // SAFETY: a1 from OpenSBI is the device tree, which nothing writes.
        let info = match unsafe { dtb::read(dtb_pa) } {
            Ok(info) => info,
            Err(e) => fail(ExitCode::Panic, format_args!("{e}")),
        };
        let xlen = usize::BITS;
        kernel_common::console::print(
            &Uart,
            format_args!(
                "[kernel] ldex kernel-riscv rv{xlen}: RAM {:#x}..{:#x}, timebase {} Hz, cmdline \"{}\"\n",
                info.ram.start, info.ram.end, info.timebase_hz, info.bootargs
            ),
        );

        let kernel_end = &raw const __kernel_end as usize;
        // What QEMU put above the image: the initrd and the device tree.
        // Frames run up to the higher one and skip the lower one.
        let mut placed = [info.initrd.clone().unwrap_or(0..0), info.dtb.clone()]
            .map(|r| r.start as u64..r.end as u64);
        placed.sort_unstable_by_key(|r| r.start);
        let [lower, higher] = placed.map(|r| {
            if r.start >= kernel_end as u64 {
                r
            } else {
                0..0
            }
        });
        let free_end = if higher.is_empty() {
            info.ram.end as u64
        } else {
            higher.start
        };
        // SAFETY: RAM from the end of the image up to the higher of the two,
        // but for the lower, is free and identity-mapped.
        unsafe { frames::init(kernel_end as u64..free_end, lower, 0) };
        let kspace = match AddressSpace::kernel(&info.ram, &image(), &guard_pages()) {
            Ok(s) => s,
            Err(e) => fail(
                ExitCode::Panic,
                format_args!("cannot build the kernel address space: {e:?}"),
            ),
        };
        // SAFETY: the new space maps all of RAM (this code, its stack, the
        // device tree, the initrd) at their identity addresses, the devices
        // at the alias `MMIO.use_alias` moves to, and only makes the text
        // read-only and the guard pages (which nothing uses yet) unmapped.
        unsafe {
            core::arch::asm!("csrw satp, {}", "sfence.vma", in(reg) kspace.satp().bits());
        }
        board::MMIO.use_alias();
        Board::set_kernel_space(&kspace);
        crate::plic::init(hart);

        // User programs may read cycle, time and instret, as on Linux (the
        // bench program counts instructions with rdinstret).
        // SAFETY: only changes which counters U-mode may read.
        unsafe { core::arch::asm!("csrw scounteren, {}", in(reg) 0b111) };
        Board::set_timebase(info.timebase_hz);
        let timer = Timer::new(&token, info.timebase_hz);
        let kind = match timer.kind() {
            TimerKind::Sstc => "Sstc stimecmp",
            TimerKind::Sbi => "SBI set_timer",
        };
        kernel_common::console::print(&Uart, format_args!("[kernel] timer: {kind}\n"));
        crate::smp::prepare(&info.harts, hart, kspace.satp().bits(), info.timebase_hz);

        let initrd = info.initrd.clone().map(|range| {
            // SAFETY: QEMU put the initrd in RAM at this range; nothing
            // writes it (the frame allocator stops below it).
            unsafe { core::slice::from_raw_parts(range.start as *const u8, range.len()) }
        });
        #[cfg(feature = "conformance")]
        crate::conformance::run(
            &token,
            &timer,
            initrd.unwrap_or_default(),
            &info.ram,
            kspace.satp(),
        );
        let forbidden = loader::forbidden(&info.ram);
        let mut builder = loader::Builder {
            kernel_half: (),
            spawn: spawn_process,
            kernel_space: kspace.satp(),
        };
        let boot = Boot {
            token: &token,
            cmdline: info.bootargs,
            initrd,
            timer,
            console: &Uart,
            power_off: board::exit,
            after_boot: crate::fault_test::after_boot,
            start_cpus: crate::smp::start_cpus,
        };
        driver::run(
            &KERNEL,
            boot,
            &loader::setup(core::slice::from_ref(&forbidden)),
            &mut builder,
        )
    }

    #[panic_handler]
    fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
        #[cfg(feature = "secondary-stack-overflow-test")]
        crate::fault_test::judge_secondary_overflow();
        fail(ExitCode::Panic, format_args!("panic: {info}"))
    }
}

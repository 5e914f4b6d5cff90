//! The x86_64 example kernel: limited direct execution with ldex.
//!
//! QEMU loads it through PVH ([`boot`]); it sets up paging ([`memory`]),
//! calibrates the local APIC timer, installs ldex's trap table through
//! `Kernel::boot`, loads every program of the initrd as a process
//! ([`loader`]) and runs them with `Kernel::run`. When none is left it exits
//! QEMU (isa-debug-exit): 33 for a clean run, 3 after a panic.
//!
//! Command line (`-append`): `trace`, `cpulimit=N` (ticks of 10 ms),
//! `quantum=N` (ticks).
#![no_std]
#![no_main]
#![forbid(unsafe_op_in_unsafe_fn)]
// The arch-bench build runs no protocol: the process machinery is unused.
#![cfg_attr(feature = "arch-bench", allow(dead_code, unused_imports))]

#[cfg(feature = "arch-bench")]
mod arch_bench;
mod boot;
#[cfg(any(feature = "kernel-fault-test", feature = "kernel-stack-overflow-test"))]
mod fault_test;
mod loader;
mod memory;
mod platform;
mod serial;

use core::time::Duration;

use kernel_common::cmdline::CmdLine;
use kernel_common::initrd;
use kernel_common::os::ExampleOs;
use ldex_arch_x86_64::timer::LAPIC_PHYS;
use ldex_arch_x86_64::{LapicTimer, X86_64};
use ldex_core::{BootToken, Config, Kernel, KernelPreemption};

use boot::{MemmapEntry, Module, PHYS_OFFSET, START_INFO_MAGIC, StartInfo};
use ldex_core::sched::RoundRobin;
use memory::phys_to_virt;
use platform::Pc;
use serial::{Serial, qemu_exit};

/// Process-table size.
const NPROC: usize = 32;
/// Bytes of each process's kernel stack, of which the lowest whole page
/// inside it is an unmapped guard ([`guard_pages`]): at least 12 KiB stay
/// usable wherever the (16-aligned) stack starts.
const KSTACK: usize = 20 * 1024;
/// The timer tick.
const TICK: Duration = Duration::from_millis(10);

type Os = ExampleOs<X86_64, Pc, NPROC>;

/// Preemptive with a 10 ms tick; the kernel itself preemptible with the
/// `preempt-kernel` feature.
const CONFIG: Config = if cfg!(feature = "preempt-kernel") {
    Config::preemptive(TICK).with_kernel_preemption(KernelPreemption::On)
} else {
    Config::preemptive(TICK)
};

/// The kernel: process table, kernel stacks, policy, system calls.
static KERNEL: Kernel<X86_64, RoundRobin, Os, NPROC, KSTACK> =
    Kernel::new(CONFIG, RoundRobin::new(2), ExampleOs::new(Pc::new()));

/// A NUL-terminated string at physical `paddr`.
fn c_str(paddr: u64) -> &'static str {
    if paddr == 0 {
        return "";
    }
    let p = phys_to_virt(paddr);
    let mut len = 0;
    // SAFETY: the boot loader's strings are NUL-terminated in RAM, which the
    // direct map covers; stop at 4 KiB regardless.
    while len < 4096 && unsafe { p.add(len).read() } != 0 {
        len += 1;
    }
    // SAFETY: as above.
    let bytes = unsafe { core::slice::from_raw_parts(p, len) };
    core::str::from_utf8(bytes).unwrap_or("")
}

/// Rust entry, from the PVH trampoline (long mode, boot stack, interrupts off).
#[unsafe(no_mangle)]
extern "C" fn kmain(start_info: u32) -> ! {
    Serial::init();
    // SAFETY: boot code, ring 0, once.
    let token = unsafe { BootToken::new() };
    // SAFETY: the PVH loader passes a valid start_info in low RAM.
    let info = unsafe { &*phys_to_virt(u64::from(start_info)).cast::<StartInfo>() };
    if info.magic != START_INFO_MAGIC {
        kprint!("kernel: bad PVH start_info magic {:#x}\n", info.magic);
        qemu_exit(false);
    }
    let cmdline = CmdLine::parse(c_str(info.cmdline_paddr));
    kprint!("ldex x86_64 example kernel\n");
    for problem in cmdline.problems() {
        kprint!("[cmdline] {problem}\n");
    }

    let initrd = (info.nr_modules > 0).then(|| {
        // SAFETY: the module list holds nr_modules entries.
        let m = unsafe { &*phys_to_virt(info.modlist_paddr).cast::<Module>() };
        (m.paddr, m.size)
    });
    memory::init_frames(ram_end(info), initrd.map_or(0..0, |(a, n)| a..a + n));
    memory::init_kernel_space(&guard_pages());

    let Some((addr, size)) = initrd.filter(|&(_, n)| n > 0) else {
        kprint!("kernel: no initrd (or an empty one): nothing to run\n");
        qemu_exit(false);
    };
    // SAFETY: the initrd module lies in RAM, covered by the direct map, and
    // the frame allocator never hands it out.
    let archive = unsafe { core::slice::from_raw_parts(phys_to_virt(addr), size as usize) };
    #[cfg(feature = "arch-bench")]
    arch_bench::run(&token, archive);
    #[cfg(not(feature = "arch-bench"))]
    run_protocol(&token, archive, &cmdline)
}

/// Calibrate the timer, boot ldex-core's `Kernel`, make one process per
/// program of `archive` and run them; exit QEMU when none is left.
#[cfg(not(feature = "arch-bench"))]
fn run_protocol(token: &BootToken, archive: &[u8], cmdline: &CmdLine<'_>) -> ! {
    // SAFETY: the direct map covers the local APIC; interrupts are off.
    let timer = unsafe { LapicTimer::calibrate(token, (PHYS_OFFSET + LAPIC_PHYS) as usize) };
    KERNEL.os().platform().set_clock(&timer);
    KERNEL.os().set_tracing(cmdline.trace);
    KERNEL.set_cpu_limit(cmdline.cpu_limit);
    if let Some(q) = cmdline.quantum {
        KERNEL.with_policy(|policy| policy.set_quantum(q));
    }
    KERNEL.boot(token, Some(timer)).expect("boot once");
    #[cfg(feature = "kernel-fault-test")]
    fault_test::after_boot();

    let summary = initrd::spawn_all(
        archive,
        &loader::setup(),
        &mut loader::Builder::kernel(),
        &Serial,
    );
    if summary.started == 0 {
        kprint!("kernel: the initrd holds no program that can run\n");
        qemu_exit(false);
    }
    match KERNEL.run() {
        Ok(summary) => {
            kprint!(
                "kernel: all processes ended ({} reaped, {} ticks)\n",
                summary.reaped,
                summary.ticks
            );
            qemu_exit(true)
        }
        Err(why) => {
            kprint!("kernel: {why:?}\n");
            qemu_exit(false)
        }
    }
}

/// The pages the kernel leaves unmapped so that a stack overflow faults
/// (and double-faults onto the IST stack) instead of overwriting what lies
/// below: the one under the boot (= scheduler) stack, and the lowest whole
/// page inside each process's kernel stack.
fn guard_pages() -> [u64; NPROC + 1] {
    let mut pages = [boot::boot_stack_guard(); NPROC + 1];
    for (page, stack) in pages[1..].iter_mut().zip(KERNEL.kernel_stacks()) {
        *page = (stack.start as u64).next_multiple_of(memory::PAGE);
        assert!(page.wrapping_add(4 * memory::PAGE) <= stack.end as u64);
    }
    pages
}

/// The end of RAM below 4 GiB, from the PVH memory map (128 MiB if none).
fn ram_end(info: &StartInfo) -> core::ops::Range<u64> {
    let mut end = 128 << 20;
    if info.version >= 1 && info.memmap_paddr != 0 {
        for i in 0..info.memmap_entries as usize {
            // SAFETY: the map holds memmap_entries entries.
            let e = unsafe { &*phys_to_virt(info.memmap_paddr).cast::<MemmapEntry>().add(i) };
            if e.kind == 1 && e.addr + e.size <= 1 << 32 && e.addr <= memory::USER_START {
                end = e.addr + e.size;
            }
        }
    }
    memory::USER_START..end
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    x86_64::instructions::interrupts::disable();
    kprint!("kernel panic: {info}\n");
    qemu_exit(false)
}

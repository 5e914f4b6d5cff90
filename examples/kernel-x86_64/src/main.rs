//! The x86_64 example kernel: limited direct execution with ldex.
//!
//! QEMU loads it through PVH ([`boot`]); it sets up paging ([`memory`]) and
//! calibrates the local APIC timer, then `kernel_common::driver` does the
//! rest: the command line (`trace`, `cpulimit=N`, `quantum=N`), the policy,
//! `Kernel::boot` (the trap table), one process per program of the initrd
//! ([`loader`]), `Kernel::run`, and the exit code, which leaves QEMU through
//! isa-debug-exit ([`serial::qemu_exit`]).
#![no_std]
#![no_main]
#![forbid(unsafe_op_in_unsafe_fn)]
// The arch-bench and conformance builds run no protocol: the process
// machinery is unused.
#![cfg_attr(
    any(feature = "arch-bench", feature = "conformance"),
    allow(dead_code, unused_imports)
)]

#[cfg(feature = "arch-bench")]
mod arch_bench;
mod boot;
#[cfg(feature = "conformance")]
mod conformance;
#[cfg(any(
    feature = "kernel-fault-test",
    feature = "kernel-stack-overflow-test",
    feature = "smap-test",
    feature = "ist-overflow-test",
    feature = "secondary-stack-overflow-test",
    feature = "wx-test"
))]
mod fault_test;
mod ioapic;
mod loader;
mod madt;
mod memory;
mod platform;
mod serial;
mod smp;

use kernel_common::driver::{self, Boot, ExampleKernel, ExitCode};
use kernel_common::frames;
use kernel_common::phys::PhysicalMemory;
use kernel_common::pvh;
use ldex_arch_x86_64::timer::LAPIC_PHYS;
use ldex_arch_x86_64::{Timer, X86_64, gdt, supervisor};
use ldex_core::MAX_CPUS;
use ldex_core::{BootToken, KernelPreemption};

use boot::{Module, PHYS_OFFSET, START_INFO_MAGIC, StartInfo};
use ldex_core::kstack::KernelStacks;
use memory::{DirectMap, phys_to_virt};
use platform::Pc;
use serial::{Serial, qemu_exit};

/// Process-table size.
const NPROC: usize = 32;
/// Bytes of each process's kernel stack, of which the lowest whole page
/// inside it is an unmapped guard ([`guard_pages`]): at least 12 KiB stay
/// usable wherever the (16-aligned) stack starts.
const KSTACK: usize = 20 * 1024;

/// System calls preemptible with the `preempt-kernel` feature (`cargo xtask
/// test` boots both).
const PREEMPTION: KernelPreemption = if cfg!(feature = "preempt-kernel") {
    KernelPreemption::On
} else {
    KernelPreemption::Off
};

/// The processes' kernel stacks: all zero, so in `.bss`, not in the ELF.
static STACKS: KernelStacks<NPROC, KSTACK> = KernelStacks::new();

/// The kernel: process table, policy, system calls.
static KERNEL: ExampleKernel<X86_64, Pc, NPROC, KSTACK> =
    driver::kernel(PREEMPTION, Pc::new(), &STACKS);

/// Print a kernel message and exit QEMU with `code`.
fn fail(code: ExitCode, args: core::fmt::Arguments<'_>) -> ! {
    driver::fail(&Serial, qemu_exit, code, args)
}

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
    // SAFETY: the boot CPU is CPU 0, before any kernel call reads the id
    // (`X86_64::cpu_id` reads it from the per-CPU area this points GS at).
    unsafe { ldex_arch_x86_64::smp::set_cpu_id(&token, 0) };
    // SAFETY: the PVH loader passes a valid start_info in low RAM.
    let info = unsafe { &*phys_to_virt(u64::from(start_info)).cast::<StartInfo>() };
    if info.magic != START_INFO_MAGIC {
        fail(
            ExitCode::Panic,
            format_args!("bad PVH start_info magic {:#x}", info.magic),
        );
    }
    let cmdline = c_str(info.cmdline_paddr);
    kprint!("[kernel] ldex kernel-x86_64: cmdline \"{cmdline}\"\n");

    let initrd = (info.nr_modules > 0).then(|| {
        // SAFETY: the module list holds nr_modules entries.
        let m = unsafe { &*phys_to_virt(info.modlist_paddr).cast::<Module>() };
        (m.paddr, m.size)
    });
    let skip = initrd.map_or(0..0, |(a, n)| a..a + n);
    // SAFETY: RAM above the image is free but for the initrd, and the
    // direct map reaches all of it at PHYS_OFFSET.
    unsafe { frames::init(ram(info), skip, PHYS_OFFSET) };
    let nx = supervisor::enable_nx(&token);
    memory::init_kernel_space(&image(), &guard_pages(), nx);
    let initrd = initrd.map(|(addr, size)| {
        // SAFETY: the initrd module lies in RAM, covered by the direct map,
        // and the frame allocator never hands it out.
        unsafe { core::slice::from_raw_parts(phys_to_virt(addr), size as usize) }
    });
    #[cfg(feature = "arch-bench")]
    arch_bench::run(&token, initrd.unwrap_or_default());
    #[cfg(feature = "conformance")]
    conformance::run(&token, initrd.unwrap_or_default());
    #[cfg(not(any(feature = "arch-bench", feature = "conformance")))]
    run_protocol(&token, cmdline, initrd, info)
}

/// Calibrate the timer, route COM1's receive interrupt (the MADT under the
/// RSDP at `rsdp`) and hand the rest to the shared boot driver.
#[cfg(not(any(feature = "arch-bench", feature = "conformance")))]
fn run_protocol(token: &BootToken, cmdline: &str, initrd: Option<&[u8]>, info: &StartInfo) -> ! {
    let rsdp = info.rsdp_paddr;
    // SAFETY: the direct map covers the local APIC; interrupts are off.
    let calibrated = unsafe { Timer::calibrate(token, (PHYS_OFFSET + LAPIC_PHYS) as usize) };
    KERNEL.os().platform().set_clock(&calibrated);
    // SAFETY: `rsdp` is the PVH start info's RSDP address.
    match unsafe { ioapic::init(rsdp, calibrated.eoi()) } {
        Ok(route) => kprint!(
            "[kernel] COM1 input: IRQ {} -> I/O APIC pin {} -> vector {:#x}\n",
            ioapic::COM1_IRQ,
            route.pin,
            ioapic::COM1_VECTOR
        ),
        Err(e) => fail(
            ExitCode::Panic,
            format_args!("cannot route COM1's interrupt: {e}"),
        ),
    }
    // What the PVH loader left in low memory that the kernel still reads,
    // which the APs' trampoline must not overwrite: the start info and the
    // command line.
    let start_info = phys_of(info);
    let kept = [
        start_info..start_info + size_of::<StartInfo>() as u64,
        info.cmdline_paddr..info.cmdline_paddr + cmdline.len() as u64 + 1,
    ];
    // The calibrated timer stays with the board, every CPU's template;
    // this CPU, like each AP, gets its own.
    // SAFETY: as for `calibrate`.
    let timer = unsafe { calibrated.on_this_cpu(token) };
    smp::prepare(calibrated, rsdp, kept);
    let boot = Boot {
        token,
        cmdline,
        initrd,
        timer,
        console: &Serial,
        power_off: qemu_exit,
        after_boot,
        start_cpus: smp::start_cpus,
    };
    driver::run(
        &KERNEL,
        boot,
        &loader::setup(),
        &mut loader::Builder::kernel(),
    )
}

/// The physical address of `info`, which the direct map shows.
#[cfg(not(any(feature = "arch-bench", feature = "conformance")))]
fn phys_of(info: &StartInfo) -> u64 {
    core::ptr::from_ref(info) as u64 - PHYS_OFFSET
}

/// Once a CPU's trap table is up (on every CPU): with `kernel-fault-test`
/// fault in ring 0, with `ist-overflow-test` overflow an IST stack, with
/// `wx-test` write the kernel's text, with `secondary-stack-overflow-test`
/// overflow an AP's scheduler stack.
fn after_boot() {
    #[cfg(feature = "secondary-stack-overflow-test")]
    fault_test::overflow_secondary_stack();
    #[cfg(feature = "wx-test")]
    fault_test::write_own_text();
    #[cfg(feature = "kernel-fault-test")]
    fault_test::after_boot();
    #[cfg(feature = "ist-overflow-test")]
    fault_test::overflow_ist();
}

/// The boot stack's guard, every CPU's three IST guards and the guard of
/// every AP's stack come first.
const CPU_GUARDS: usize = 1 + 3 * MAX_CPUS + MAX_CPUS - 1;
/// All the guard pages: those, then one per process kernel stack.
const GUARDS: usize = CPU_GUARDS + NPROC;

/// The pages the kernel leaves unmapped so that a stack overflow faults
/// (and double-faults onto the IST stack) instead of overwriting what lies
/// below: the one under the boot (= CPU 0's scheduler) stack, the lowest
/// page of each IST stack of every CPU, the one under each AP's
/// (scheduler) stack, and the lowest whole page inside each process's
/// kernel stack.
fn guard_pages() -> [u64; GUARDS] {
    let mut pages = [boot::boot_stack_guard(); GUARDS];
    let ists = (0..MAX_CPUS)
        .flat_map(gdt::ist_guard_pages)
        .map(|ist| ist as u64);
    for (page, guard) in pages[1..CPU_GUARDS]
        .iter_mut()
        .zip(ists.chain(smp::guard_pages()))
    {
        *page = guard;
    }
    for (page, stack) in pages[CPU_GUARDS..].iter_mut().zip(KERNEL.kernel_stacks()) {
        *page = (stack.start as u64).next_multiple_of(memory::PAGE);
        assert!(page.wrapping_add(4 * memory::PAGE) <= stack.end as u64);
    }
    pages
}

/// The image's layout, from the linker script's symbols.
fn image() -> memory::KernelImage {
    unsafe extern "C" {
        static __kernel_start: u8;
        static __rodata_start: u8;
        static __data_start: u8;
    }
    let (start, rodata, data) = (
        &raw const __kernel_start as u64,
        &raw const __rodata_start as u64,
        &raw const __data_start as u64,
    );
    memory::KernelImage {
        text: start..rodata,
        rodata: rodata..data,
    }
}

/// The RAM for frames: from the end of the image (4 MiB) to the end of its
/// RAM region below 4 GiB, from the PVH memory map (128 MiB if none).
fn ram(info: &StartInfo) -> core::ops::Range<u64> {
    let default = memory::USER_START..128 << 20;
    if info.version < 1 || info.memmap_paddr == 0 {
        return default;
    }
    // SAFETY: the PVH loader's memory map is firmware memory nothing
    // writes; the reader refuses a map that does not lie below 4 GiB.
    let tables = unsafe { DirectMap::new() };
    (info.memmap_entries as usize)
        .checked_mul(pvh::ENTRY_LEN)
        .and_then(|len| tables.bytes(info.memmap_paddr, len))
        .and_then(|map| pvh::ram(map, memory::USER_START, memory::DIRECT_MAP_END))
        .unwrap_or(default)
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    x86_64::instructions::interrupts::disable();
    #[cfg(feature = "secondary-stack-overflow-test")]
    fault_test::judge_secondary_overflow();
    fail(ExitCode::Panic, format_args!("panic: {info}"))
}

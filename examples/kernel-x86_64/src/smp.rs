//! The application processors (APs): found in the ACPI MADT, started with
//! INIT–SIPI–SIPI through a real-mode trampoline, each brought up to where
//! it can take traps and ticks of its own.
//!
//! # The trampoline
//! A STARTUP IPI starts an AP in real mode at a page-aligned address below
//! 1 MiB, so [`start_others`] copies the trampoline to [`TRAMPOLINE`]
//! (which the kernel's address space maps at the same address: the image's
//! identity map covers the first 4 MiB) and fills in its parameters
//! ([`Params`]), then sends the IPIs. The AP climbs the modes the way the
//! PVH entry does ([`crate::boot`]), but on page tables that map the kernel
//! as the boot CPU's do (see below):
//!
//! ```text
//!   16-bit real mode, CS = page << 8    lgdt the trampoline's GDT, CR0.PE
//!   32-bit protected mode (sel 0x08)     CR4.PAE, CR3 = params.cr3,
//!                                        EFER = params.efer (LME, NXE, SCE),
//!                                        CR0.PG
//!   64-bit long mode (sel 0x18)          rsp = params.stack,
//!                                        call params.entry(params.cpu)
//!   ap_main, in the kernel's text        CR3 = the kernel's
//! ```
//!
//! The kernel's own page tables keep low memory read, write and NX (its
//! W^X), so the trampoline cannot run there once paging is on: the AP
//! climbs on page tables of its own ([`memory::trampoline_space`]), the
//! kernel's but for a copied page table that makes the trampoline's page
//! read and execute, and [`ap_main`] loads the kernel's CR3 first thing.
//!
//! Every address the 16- and 32-bit code uses is `TRAMPOLINE + (label -
//! ap_trampoline)`, fixed at assembly time, since the code runs at the copy,
//! not where it was linked.
//!
//! # When
//! Boot code records what the APs will need ([`prepare`]: the calibrated
//! timer, the RSDP); the boot driver calls [`start_cpus`] once the kernel
//! is booted and the first programs are processes, just before the boot
//! CPU enters the scheduler loop, so every AP can go straight into it.
//!
//! # An AP in Rust ([`ap_main`], on its own stack, interrupts off)
//! 0. Claim its start (`Handshake::claim`), or park if the boot CPU gave
//!    up on it.
//! 1. Its CPU id into its per-CPU area (GS.base), before anything reads it.
//! 2. Its local APIC and timer, in the boot CPU's calibrated mode and rates.
//! 3. Report online, then `Kernel::boot_secondary` (the trap table: its own
//!    GDT, TSS and IST stacks, the shared IDT, the `syscall` MSRs, FPU and
//!    SMEP/SMAP/UMIP; its timer started) and the scheduler loop, where it
//!    waits for interrupts with `hlt` when nothing is runnable.
//!
//! APs start one at a time: the boot CPU waits for each to report before
//! it starts the next, so the parameters are used by one AP at a time and
//! the boot lines come in order. An AP that has not arrived
//! [`START_TIMEOUT_NS`] after its SIPIs is named in a `[kernel]` line and
//! left out, and no more are started (`kernel_common::cpu_start`: if it
//! arrives later, it parks).

use core::mem::offset_of;
use core::sync::atomic::{AtomicU64, Ordering};

use core::ops::Range;

use kernel_common::cpu_start::Handshake;
use kernel_common::driver;
use ldex_arch_x86_64::{Timer, X86_64, smp};
use ldex_core::MAX_CPUS;
use ldex_core::sync::SpinLock;
use ldex_core::{BootToken, Timer as _};
use x86_64::PhysAddr;
use x86_64::registers::control::{Cr3, Cr3Flags};
use x86_64::registers::model_specific::{Efer, EferFlags};
use x86_64::structures::paging::PhysFrame;

use crate::kprint;
use crate::madt;
use crate::memory::{self, phys_to_virt};
use crate::serial::Serial;

/// Where the trampoline is copied: page 8 (0x8000), below 1 MiB, in no
/// table or string the PVH loader placed (checked by [`start_others`]).
pub const TRAMPOLINE: u64 = 0x8000;
/// How long the boot CPU waits for an AP to report.
const START_TIMEOUT_NS: u64 = 1_000_000_000;
/// Bytes of each AP's stack (its scheduler's), above its guard page.
pub const STACK_SIZE: usize = 64 * 1024;
/// Bytes of each stack's slot in [`STACKS`]: the guard page, then the
/// stack.
const SLOT: usize = memory::PAGE as usize + STACK_SIZE;

/// What the trampoline reads, at its end.
#[repr(C)]
struct Params {
    /// The PML4 (physical, below 4 GiB: loaded in 32-bit mode).
    cr3: u32,
    /// EFER's low half (LME, NXE, SCE) as the boot CPU has it.
    efer: u32,
    /// The AP's stack top.
    stack: u64,
    /// The AP's CPU id, `entry`'s argument.
    cpu: u64,
    /// [`ap_main`].
    entry: u64,
}

/// Page-aligned, so that each slot's guard page is whole.
#[repr(C, align(4096))]
struct Stacks([[u8; SLOT]; MAX_CPUS - 1]);

/// The APs' stacks, CPU `c`'s in slot `c - 1`, each above its guard page,
/// which the kernel's page tables leave out ([`guard_pages`]): an
/// overflow double-faults onto the AP's IST1 stack, as on the boot CPU.
/// All zero: in `.bss`. Only reached through rsp by the AP that owns it.
static mut STACKS: Stacks = Stacks([[0; SLOT]; MAX_CPUS - 1]);

/// The guard page of each AP's stack.
pub fn guard_pages() -> impl Iterator<Item = u64> {
    let base = (&raw const STACKS) as u64;
    (0..MAX_CPUS - 1).map(move |slot| base + (slot * SLOT) as u64)
}

/// The start under way: the boot CPU's side in [`start_others`], the
/// AP's in [`ap_main`].
static HANDSHAKE: Handshake = Handshake::new();
/// The kernel's CR3, which each AP loads once it runs in the kernel's text.
static KERNEL_CR3: AtomicU64 = AtomicU64::new(0);

/// What [`start_cpus`] needs from boot code.
struct Plan {
    /// The PVH start info's RSDP address.
    rsdp: u64,
    /// The page tables the APs climb on ([`memory::trampoline_space`]).
    climb: u64,
    /// Low memory the PVH loader filled that the kernel still reads.
    kept: [Range<u64>; 2],
}

static PLAN: SpinLock<Option<Plan>, X86_64> = SpinLock::new(None);
/// The boot CPU's calibrated timer: each AP's is made from it.
static CALIBRATED: SpinLock<Option<Timer>, X86_64> = SpinLock::new(None);

/// Remember what [`start_cpus`] needs: the `calibrated` timer, the RSDP at
/// `rsdp` and the low-memory ranges `kept` the trampoline must not
/// overwrite; build the page tables the APs climb on now, before the boot
/// driver counts the free frames.
pub fn prepare(calibrated: Timer, rsdp: u64, kept: [Range<u64>; 2]) {
    let Some(climb) = memory::trampoline_space(TRAMPOLINE) else {
        kprint!("[kernel] one CPU: no frames for the APs' page tables\n");
        return;
    };
    *CALIBRATED.lock() = Some(calibrated);
    *PLAN.lock() = Some(Plan { rsdp, climb, kept });
}

/// The boot driver's `start_cpus`: start the APs [`prepare`] found, if
/// any, and say how many CPUs are online.
pub fn start_cpus() {
    let Some(plan) = PLAN.lock().take() else {
        return;
    };
    // SAFETY: the boot driver's hook runs once, on CPU 0, in boot code.
    let token = unsafe { BootToken::new() };
    // SAFETY: boot code of CPU 0 with interrupts off (the driver has not
    // entered the scheduler loop), in the kernel's address space; `rsdp`
    // is the start info's.
    let cpus = unsafe { start_others(&token, plan.rsdp, plan.climb, &plan.kept) };
    kprint!("[kernel] CPUs online: {cpus}\n");
}

core::arch::global_asm!(
    r#"
    .section .rodata.ap_trampoline, "a"
    .balign 16
    .global ap_trampoline
ap_trampoline:
    .code16
    cli
    cld
    movw %cs, %ax
    movw %ax, %ds
    lgdtl ap_gdt_ptr - ap_trampoline
    movl %cr0, %eax
    orl $1, %eax
    movl %eax, %cr0
    ljmpl $0x08, ${base} + ap_pm32 - ap_trampoline
    .code32
ap_pm32:
    movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    movl %cr4, %eax
    orl $0x20, %eax
    movl %eax, %cr4
    movl {base} + ap_params - ap_trampoline + {cr3}, %eax
    movl %eax, %cr3
    movl $0xc0000080, %ecx
    movl {base} + ap_params - ap_trampoline + {efer}, %eax
    xorl %edx, %edx
    wrmsr
    movl %cr0, %eax
    orl $0x80000000, %eax
    movl %eax, %cr0
    ljmp $0x18, ${base} + ap_lm64 - ap_trampoline
    .code64
ap_lm64:
    movq {base} + ap_params - ap_trampoline + {stack}, %rsp
    movq {base} + ap_params - ap_trampoline + {cpu}, %rdi
    movq {base} + ap_params - ap_trampoline + {entry}, %rax
    callq *%rax
1:  hlt
    jmp 1b
    .balign 8
ap_gdt:
    .quad 0
    .quad 0x00cf9a000000ffff
    .quad 0x00cf92000000ffff
    .quad 0x00af9a000000ffff
ap_gdt_ptr:
    .word ap_gdt_ptr - ap_gdt - 1
    .long {base} + ap_gdt - ap_trampoline
    .balign 8
    .global ap_params
ap_params:
    .skip {params_size}
    .global ap_trampoline_end
ap_trampoline_end:
    .text
    "#,
    base = const TRAMPOLINE,
    cr3 = const offset_of!(Params, cr3),
    efer = const offset_of!(Params, efer),
    stack = const offset_of!(Params, stack),
    cpu = const offset_of!(Params, cpu),
    entry = const offset_of!(Params, entry),
    params_size = const size_of::<Params>(),
    options(att_syntax)
);

unsafe extern "C" {
    static ap_trampoline: u8;
    static ap_params: u8;
    static ap_trampoline_end: u8;
}

/// Start every enabled processor of the MADT under the RSDP at `rsdp` but
/// this one, climbing on the page tables at `climb`. `avoid` are physical
/// ranges the trampoline page must not overlap. Returns how many CPUs are
/// online, this one included.
///
/// # Safety
/// Boot code of CPU 0, interrupts off, with the kernel's address space
/// loaded; `rsdp` is the PVH start info's RSDP address.
unsafe fn start_others(token: &BootToken, rsdp: u64, climb: u64, avoid: &[Range<u64>]) -> usize {
    // The calibrated timer's clock; its lock is taken for each use, since
    // an AP takes it too, to make its own timer.
    let now = || CALIBRATED.lock().as_ref().map_or(u64::MAX, |t| t.now());
    // SAFETY: our caller's promise.
    let apics = match unsafe { madt::local_apics(rsdp) } {
        Ok(apics) => apics,
        Err(e) => {
            kprint!("[kernel] one CPU: {e}\n");
            return 1;
        }
    };
    let page = TRAMPOLINE..TRAMPOLINE + 4096;
    if let Some(r) = avoid
        .iter()
        .find(|r| r.start < page.end && page.start < r.end)
    {
        kprint!("[kernel] one CPU: the AP trampoline page would overwrite {r:#x?}\n");
        return 1;
    }
    let start = &raw const ap_trampoline;
    // SAFETY: three labels of the one blob above, in order.
    let (len, params_at) = unsafe {
        (
            (&raw const ap_trampoline_end).offset_from(start) as usize,
            (&raw const ap_params).offset_from(start) as usize,
        )
    };
    assert!(len <= 4096, "the AP trampoline fits its page");
    let copy = phys_to_virt(TRAMPOLINE);
    // SAFETY: the page is RAM nobody uses (checked above, and below the
    // kernel image, where the frame allocator never goes); the direct map
    // reaches it.
    unsafe { core::ptr::copy_nonoverlapping(start, copy, len) };
    let params = copy.wrapping_add(params_at).cast::<Params>();
    KERNEL_CR3.store(Cr3::read().0.start_address().as_u64(), Ordering::Relaxed);
    let efer = Efer::read()
        & (EferFlags::LONG_MODE_ENABLE
            | EferFlags::NO_EXECUTE_ENABLE
            | EferFlags::SYSTEM_CALL_EXTENSIONS);
    let mut next = 1;
    for &apic in apics.ids().iter().filter(|&&id| id != smp::apic_id()) {
        if next == MAX_CPUS {
            break;
        }
        let stack_top = (&raw mut STACKS).cast::<u8>().wrapping_add(next * SLOT);
        // SAFETY: the trampoline's parameters, read by no AP now (the last
        // one reported or timed out and is parked for good).
        unsafe {
            params.write_volatile(Params {
                cr3: climb as u32,
                efer: efer.bits() as u32,
                stack: stack_top as u64,
                cpu: next as u64,
                entry: ap_main as *const () as u64,
            });
        }
        HANDSHAKE.expect(next);
        if let Some(timer) = CALIBRATED.lock().as_ref() {
            // SAFETY: the page holds the trampoline, which gives CPU `next`
            // stack `next - 1` and calls `ap_main`, whose first act is
            // `set_cpu_id`; `next` and `apic` are handed out once each.
            unsafe { smp::start_ap(token, timer, next, apic, (TRAMPOLINE >> 12) as u8) };
        }
        let deadline = now().saturating_add(START_TIMEOUT_NS);
        if HANDSHAKE.wait(next, now, deadline).is_err() {
            kprint!(
                "[kernel] cpu {next} (APIC id {apic}) did not report in {} s after INIT-SIPI-SIPI: going on without it\n",
                START_TIMEOUT_NS / 1_000_000_000
            );
            break;
        }
        next += 1;
    }
    next
}

/// An AP in Rust (see the module docs), called by the trampoline.
extern "C" fn ap_main(cpu: usize) -> ! {
    // The `cpu-no-show-test` build: CPU 1 never arrives, like an AP stuck
    // before its trampoline.
    #[cfg(feature = "cpu-no-show-test")]
    if cpu == 1 {
        park();
    }
    if !HANDSHAKE.claim(cpu) {
        park();
    }
    let kernel = PhysFrame::containing_address(PhysAddr::new(KERNEL_CR3.load(Ordering::Relaxed)));
    // SAFETY: the kernel's own page tables, which map this code, its
    // stack and everything the kernel uses as the trampoline's did.
    unsafe { Cr3::write(kernel, Cr3Flags::empty()) };
    // SAFETY: boot code of this AP, which no other CPU runs.
    let token = unsafe { BootToken::new() };
    // SAFETY: CPU ids are handed out once each by `start_others`.
    unsafe { smp::set_cpu_id(&token, cpu) };
    let timer = CALIBRATED
        .lock()
        .as_ref()
        // SAFETY: the direct map covers the local APIC; interrupts are off.
        .map(|calibrated| unsafe { calibrated.on_this_cpu(&token) })
        .expect("APs start only after prepare");
    let mode = if timer.uses_tsc_deadline() {
        "TSC-deadline"
    } else {
        "one-shot"
    };
    kprint!(
        "[kernel] cpu {cpu} up: APIC id {}, LAPIC timer ({mode})\n",
        smp::apic_id()
    );
    HANDSHAKE.report();
    driver::run_secondary(&crate::KERNEL, &token, timer, &Serial)
}

/// An AP the boot CPU gave up on: halt with interrupts off (as the
/// trampoline left them) for good, on its own stack, which no other CPU is
/// given.
fn park() -> ! {
    loop {
        x86_64::instructions::hlt();
    }
}

//! Test builds that break the kernel on purpose. `cargo xtask test` boots
//! each and expects a diagnosis and a failure exit (1), never a hang:
//!
//! * `kernel-fault-test`: once the trap table is up, a read of an unmapped
//!   address. The data abort reaches ldex-core as a kernel-mode trap,
//!   which panics with the cause and the frame.
//! * `kernel-stack-overflow-test`: the first console write, inside the
//!   `write` system call of the first process (`hello`), recurses without
//!   bound on that process's kernel stack, down into its unmapped guard
//!   page (`guard_pages` in `main.rs`). ldex-arch-aarch64's EL1 slot sees a
//!   data abort less than a page from sp and reports it from its
//!   emergency stack.
//! * `secondary-stack-overflow-test` (booted on two CPUs): CPU 1, once its
//!   trap table is up, recurses without bound on its scheduler stack
//!   (`crate::smp`'s), down into the unmapped guard page under it, reported
//!   from CPU 1's emergency stack, as for CPU 0.
//! * `wx-test`: once the trap table is up, a write to the kernel's own
//!   text, which `vm.rs` maps read-only.

#[cfg(any(
    feature = "kernel-fault-test",
    feature = "kernel-stack-overflow-test",
    feature = "secondary-stack-overflow-test",
    feature = "wx-test"
))]
use crate::board::Uart;

/// Print a `[kernel]` line.
#[cfg(any(
    feature = "kernel-fault-test",
    feature = "kernel-stack-overflow-test",
    feature = "secondary-stack-overflow-test",
    feature = "wx-test"
))]
fn say(args: core::fmt::Arguments<'_>) {
    kernel_common::console::print(&Uart, format_args!("[kernel] {args}\n"));
}

/// Once a CPU's trap table is up (on every CPU): the boot-time tests.
pub fn after_boot() {
    #[cfg(feature = "secondary-stack-overflow-test")]
    {
        let cpu = ldex_arch_aarch64::smp::cpu_id();
        if cpu != 0 {
            say(format_args!(
                "secondary-stack-overflow-test: recursing on the scheduler stack of cpu {cpu}"
            ));
            recurse(0);
        }
    }
    #[cfg(feature = "kernel-fault-test")]
    {
        say(format_args!("kernel-fault-test: reading unmapped 0x1000"));
        // SAFETY: deliberately not: 0x1000 is unmapped in the kernel's
        // space, so the read faults and the kernel panics.
        let _ = unsafe { core::ptr::read_volatile(0x1000 as *const usize) };
    }
    #[cfg(feature = "wx-test")]
    {
        let text = after_boot as *const () as usize;
        say(format_args!(
            "wx-test: writing the kernel's own text at {text:#x}"
        ));
        // SAFETY: deliberately not: the text is mapped read-only, so the
        // store faults and the kernel panics before anything runs the
        // changed code.
        unsafe { core::ptr::write_volatile(text as *mut u32, 0) };
        say(format_args!("wx-test: the write went through"));
    }
}

/// In the panic handler of the `secondary-stack-overflow-test` build:
/// say whether the fault (`FAR_EL1`, which nothing has changed since the
/// abort) lies in this CPU's own guard page, so the transcript tells that
/// guard from any other the recursion might have reached without it.
#[cfg(feature = "secondary-stack-overflow-test")]
pub fn judge_secondary_overflow() {
    let cpu = ldex_arch_aarch64::smp::cpu_id();
    let Some(guard) = cpu
        .checked_sub(1)
        .and_then(|slot| crate::smp::guard_pages().nth(slot))
    else {
        return;
    };
    let addr: usize;
    // SAFETY: reading FAR_EL1 has no side effect.
    unsafe { core::arch::asm!("mrs {}, far_el1", out(reg) addr, options(nomem, nostack)) };
    let place = if (guard..guard + crate::vm::PAGE).contains(&addr) {
        "inside"
    } else {
        "outside"
    };
    say(format_args!(
        "secondary-stack-overflow-test: the fault at {addr:#x} is {place} cpu {cpu}'s guard page {guard:#x}"
    ));
}

/// In a system call that writes to the console.
#[cfg(feature = "kernel-stack-overflow-test")]
pub fn in_console_write() {
    let pid = crate::kernel::KERNEL.current().map(|p| p.get());
    say(format_args!(
        "kernel-stack-overflow-test: recursing on the kernel stack of pid {pid:?}"
    ));
    recurse(0);
}

/// Use 512 bytes of stack per call, forever (the compiler cannot turn it
/// into a loop: the result depends on the frame after the call returns).
#[cfg(any(
    feature = "kernel-stack-overflow-test",
    feature = "secondary-stack-overflow-test"
))]
#[inline(never)]
fn recurse(depth: usize) -> usize {
    let frame = core::hint::black_box([depth; 512 / size_of::<usize>()]);
    if core::hint::black_box(depth) == usize::MAX {
        return 0;
    }
    recurse(depth + 1).wrapping_add(frame[depth % frame.len()])
}

//! Test builds that break the kernel on purpose. `cargo xtask test` boots
//! each and expects a diagnosis and a failure exit (1), never a hang:
//!
//! * `kernel-fault-test`: once the trap table is up, a read of an unmapped
//!   address. The fault reaches ldex-core as a kernel-mode trap, which
//!   panics with the cause and the frame.
//! * `kernel-stack-overflow-test`: the first console write, inside the
//!   `write` system call of the first process (`hello`), recurses without
//!   bound on that process's kernel stack, down into its unmapped guard
//!   page (`guard_pages` in `main.rs`). ldex-arch-riscv's trap entry sees a
//!   page fault right above sp and reports it from its emergency stack.
//! * `sum-test`: the first system call that names a user buffer reads it
//!   while only checking it, outside `with_user_access`: `sstatus.SUM` is
//!   clear there, so the read faults in S-mode and the kernel panics.
//! * `wx-test`: once the trap table is up, a write to the kernel's own
//!   text, which `vm.rs` maps read and execute only.
//! * `return-window-test`: ldex-arch-riscv's `return-window-test` puts an
//!   `ebreak` in the return-to-user window; the first return to user mode
//!   traps there and the trap entry must diagnose it (no code here).

#[cfg(any(
    feature = "kernel-fault-test",
    feature = "kernel-stack-overflow-test",
    feature = "sum-test",
    feature = "wx-test"
))]
use crate::board::Uart;

/// Print a `[kernel]` line.
#[cfg(any(
    feature = "kernel-fault-test",
    feature = "kernel-stack-overflow-test",
    feature = "sum-test",
    feature = "wx-test"
))]
fn say(args: core::fmt::Arguments<'_>) {
    kernel_common::console::print(&Uart, format_args!("[kernel] {args}\n"));
}

/// Once the trap table is up: the boot-time tests.
pub fn after_boot() {
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
        // SAFETY: deliberately not: the text is mapped read and execute
        // only, so the store faults and the kernel panics before anything
        // runs the changed code.
        unsafe { core::ptr::write_volatile(text as *mut u32, 0) };
        say(format_args!("wx-test: the write went through"));
    }
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
#[cfg(feature = "kernel-stack-overflow-test")]
#[inline(never)]
fn recurse(depth: usize) -> usize {
    let frame = core::hint::black_box([depth; 512 / size_of::<usize>()]);
    if core::hint::black_box(depth) == usize::MAX {
        return 0;
    }
    recurse(depth + 1).wrapping_add(frame[depth % frame.len()])
}

/// While checking a user range, before `with_user_access`: read it as a
/// buggy kernel would.
#[cfg(feature = "sum-test")]
pub fn touch_user_outside_accessor(addr: usize) {
    say(format_args!(
        "sum-test: reading user {addr:#x} outside with_user_access"
    ));
    // SAFETY: deliberately not: with SUM clear the read must fault.
    let _ = unsafe { core::ptr::read_volatile(addr as *const u8) };
}

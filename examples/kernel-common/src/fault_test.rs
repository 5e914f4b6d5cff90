//! The breaking half of the example kernels' fault-test builds, once.
//!
//! Each kernel's `fault_test.rs` turns a cargo feature (`kernel-fault-test`,
//! `kernel-stack-overflow-test`, `secondary-stack-overflow-test`,
//! `wx-test`) into a call here at the right moment, with its console and
//! what only its arch can read (the CPU id, the faulting address). These
//! functions break the kernel on purpose and say so first, in the words the
//! expected transcripts check; the diagnosis (a frame dump and a failing
//! exit) is the arch's and ldex-core's, never this module's.

use core::fmt;

use crate::console::{self, Console};

fn say<C: Console + ?Sized>(console: &C, args: fmt::Arguments<'_>) {
    console::print(console, format_args!("[kernel] {args}\n"));
}

/// `kernel-fault-test`: read the unmapped address 0x1000 in the kernel.
pub fn read_unmapped<C: Console + ?Sized>(console: &C) {
    say(
        console,
        format_args!("kernel-fault-test: reading unmapped 0x1000"),
    );
    // SAFETY: deliberately not: 0x1000 is unmapped in every example
    // kernel's space, so the read faults and the kernel panics.
    let _ = unsafe { core::ptr::read_volatile(0x1000 as *const usize) };
}

/// `wx-test`: write the word at `text`, the kernel's own text. Returns
/// only if the write went through, after saying so.
pub fn write_own_text<C: Console + ?Sized>(console: &C, text: usize) {
    say(
        console,
        format_args!("wx-test: writing the kernel's own text at {text:#x}"),
    );
    // SAFETY: deliberately not: the kernel maps its text without write
    // permission, so the store faults and the kernel panics before anything
    // runs the changed code.
    unsafe { core::ptr::write_volatile(text as *mut u32, 0) };
    say(console, format_args!("wx-test: the write went through"));
}

/// `kernel-stack-overflow-test`: inside process `pid`'s system call,
/// recurse down its kernel stack into the guard page under it.
pub fn overflow_kernel_stack<C: Console + ?Sized>(console: &C, pid: Option<u32>) {
    say(
        console,
        format_args!("kernel-stack-overflow-test: recursing on the kernel stack of pid {pid:?}"),
    );
    recurse(0);
}

/// `secondary-stack-overflow-test`, once CPU `cpu`'s trap table is up: on
/// any CPU but the boot CPU, recurse down its scheduler stack into the
/// guard page under it.
pub fn overflow_secondary_stack<C: Console + ?Sized>(console: &C, cpu: usize) {
    if cpu != 0 {
        say(
            console,
            format_args!(
                "secondary-stack-overflow-test: recursing on the scheduler stack of cpu {cpu}"
            ),
        );
        recurse(0);
    }
}

/// `secondary-stack-overflow-test`, in the panic handler: say whether the
/// fault at `addr` on CPU `cpu` lies in that CPU's own guard page (`guard`,
/// `page` bytes; `None` on the boot CPU, which says nothing), so the
/// transcript tells that guard from any other the recursion might have
/// reached without it.
pub fn judge_guard<C: Console + ?Sized>(
    console: &C,
    cpu: usize,
    addr: usize,
    guard: Option<usize>,
    page: usize,
) {
    let Some(guard) = guard else {
        return;
    };
    let place = if (guard..guard + page).contains(&addr) {
        "inside"
    } else {
        "outside"
    };
    say(
        console,
        format_args!(
            "secondary-stack-overflow-test: the fault at {addr:#x} is {place} cpu {cpu}'s guard page {guard:#x}"
        ),
    );
}

/// Use 512 bytes of stack per call, forever (the compiler cannot turn it
/// into a loop: the result depends on the frame after the call returns).
#[inline(never)]
pub fn recurse(depth: usize) -> usize {
    let frame = core::hint::black_box([depth; 512 / size_of::<usize>()]);
    if core::hint::black_box(depth) == usize::MAX {
        return 0;
    }
    recurse(depth + 1).wrapping_add(frame[depth % frame.len()])
}

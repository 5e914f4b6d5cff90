//! `_start`: the first instruction of every program.
//!
//! The kernel enters with the stack pointer at argc (16-byte aligned) and
//! every other register unspecified. `_start` passes that sp to
//! [`start_rust`] as its only argument, with a call so that the stack is
//! aligned as the ABI wants inside it, and never returns.

use crate::args::Args;
use crate::sys;

unsafe extern "Rust" {
    /// The program's main, defined by [`entry!`](crate::entry).
    safe fn __user_main(args: Args) -> i32;
}

/// Called by `_start` with the initial stack pointer; runs main and exits.
///
/// # Safety
/// `sp` is the initial stack pointer the kernel gave the program.
pub unsafe extern "C" fn start_rust(sp: *const usize) -> ! {
    // SAFETY: `_start` passes the kernel's initial sp, a Linux stack.
    let args = unsafe { Args::from_initial_stack(sp) };
    sys::exit(__user_main(args))
}

/// riscv: sp already points at argc; `call` keeps it 16-byte aligned.
#[cfg(all(
    target_os = "none",
    any(target_arch = "riscv64", target_arch = "riscv32")
))]
#[unsafe(naked)]
#[unsafe(no_mangle)]
unsafe extern "C" fn _start() -> ! {
    core::arch::naked_asm!(
        "mv a0, sp",
        "li fp, 0",
        "call {start}",
        "unimp",
        start = sym start_rust,
    )
}

/// x86_64: rsp points at argc and is 16-byte aligned; the `call` pushes a
/// return address, which is the alignment a function expects on entry.
#[cfg(all(target_os = "none", target_arch = "x86_64"))]
#[unsafe(naked)]
#[unsafe(no_mangle)]
unsafe extern "C" fn _start() -> ! {
    core::arch::naked_asm!(
        "xor ebp, ebp",
        "mov rdi, rsp",
        "and rsp, -16",
        "call {start}",
        "ud2",
        start = sym start_rust,
    )
}

/// aarch64: sp points at argc and is 16-byte aligned; `bl` keeps it so.
#[cfg(all(target_os = "none", target_arch = "aarch64"))]
#[unsafe(naked)]
#[unsafe(no_mangle)]
unsafe extern "C" fn _start() -> ! {
    core::arch::naked_asm!(
        "mov x0, sp",
        "mov x29, xzr",
        "mov x30, xzr",
        "bl {start}",
        "udf #0",
        start = sym start_rust,
    )
}

//! `_start`: the first instruction of every program.
//!
//! The kernel enters with the stack pointer at argc (16-byte aligned) and
//! every other register unspecified (ldex's kernels zero them). `_start`
//! first records every register in [`crate::initial`], then passes that sp
//! to [`start_rust`] as its only argument, with a call so that the stack is
//! aligned as the ABI wants inside it, and never returns.

use crate::args::Args;
#[cfg(target_os = "none")]
use crate::initial::{self, INITIAL};
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

/// riscv `_start` for one XLEN: `$sx`/`$lx` are its store and load, `$fp`
/// the lines that record the FP registers (none on rv32) with the operands
/// they use.
#[cfg(all(
    target_os = "none",
    any(target_arch = "riscv64", target_arch = "riscv32")
))]
macro_rules! riscv_start {
    ($sx:literal, $lx:literal, [$($fp:literal),*] $(, $name:ident = const $value:expr)*) => {
        /// riscv: record every register in [`INITIAL`] (t0, the base, goes
        /// below sp first and is copied in last), then `call` with sp at
        /// argc, which keeps it 16-byte aligned.
        #[unsafe(naked)]
        #[unsafe(no_mangle)]
        unsafe extern "C" fn _start() -> ! {
            core::arch::naked_asm!(
                concat!($sx, " t0, -{xlenb}(sp)"),
                "lla t0, {initial}",
                ".irp n, 1,2,3,4,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31",
                concat!($sx, " x\\n, {x}+\\n*{xlenb}(t0)"),
                ".endr",
                concat!($lx, " t1, -{xlenb}(sp)"),
                concat!($sx, " t1, {x}+5*{xlenb}(t0)"),
                $($fp,)*
                "mv a0, sp",
                "li fp, 0",
                "call {start}",
                "unimp",
                initial = sym INITIAL,
                x = const initial::X,
                xlenb = const core::mem::size_of::<usize>(),
                start = sym start_rust,
                $($name = const $value,)*
            )
        }
    };
}

#[cfg(all(target_os = "none", target_arch = "riscv64"))]
riscv_start!(
    "sd",
    "ld",
    [
        ".option push",
        ".option arch, +d",
        ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31",
        "fsd f\\n, {f}+\\n*8(t0)",
        ".endr",
        "frcsr t1",
        "sd t1, {fcsr}(t0)",
        ".option pop"
    ],
    f = const initial::F,
    fcsr = const initial::FCSR
);

#[cfg(all(target_os = "none", target_arch = "riscv32"))]
riscv_start!("sw", "lw", []);

/// x86_64: record every register in [`INITIAL`] (RIP-relative, so none is
/// needed as a base); rsp points at argc and is 16-byte aligned; the `call`
/// pushes a return address, which is the alignment a function expects on
/// entry.
#[cfg(all(target_os = "none", target_arch = "x86_64"))]
#[unsafe(naked)]
#[unsafe(no_mangle)]
unsafe extern "C" fn _start() -> ! {
    core::arch::naked_asm!(
        "mov [rip + {initial} + {gpr} + 0*8], rax",
        "mov [rip + {initial} + {gpr} + 1*8], rcx",
        "mov [rip + {initial} + {gpr} + 2*8], rdx",
        "mov [rip + {initial} + {gpr} + 3*8], rbx",
        "mov [rip + {initial} + {gpr} + 4*8], rsp",
        "mov [rip + {initial} + {gpr} + 5*8], rbp",
        "mov [rip + {initial} + {gpr} + 6*8], rsi",
        "mov [rip + {initial} + {gpr} + 7*8], rdi",
        ".irp n, 8,9,10,11,12,13,14,15",
        "mov [rip + {initial} + {gpr} + \\n*8], r\\n",
        ".endr",
        "fxsave64 [rip + {initial} + {fx}]",
        "xor ebp, ebp",
        "mov rdi, rsp",
        "and rsp, -16",
        "call {start}",
        "ud2",
        initial = sym INITIAL,
        gpr = const initial::GPR,
        fx = const initial::FX,
        start = sym start_rust,
    )
}

/// aarch64: record every register in [`INITIAL`] (x0 goes below sp first,
/// becomes the base, and is copied in after the others); sp points at
/// argc and is 16-byte aligned; `bl` keeps it so.
#[cfg(all(target_os = "none", target_arch = "aarch64"))]
#[unsafe(naked)]
#[unsafe(no_mangle)]
unsafe extern "C" fn _start() -> ! {
    core::arch::naked_asm!(
        "str x0, [sp, #-16]",
        "adrp x0, {initial}",
        "add x0, x0, :lo12:{initial}",
        ".irp n, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30",
        "str x\\n, [x0, #{x} + \\n * 8]",
        ".endr",
        "ldr x1, [sp, #-16]",
        "str x1, [x0, #{x}]",
        "mov x1, sp",
        "str x1, [x0, #{x} + 31 * 8]",
        ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31",
        "str q\\n, [x0, #{q} + \\n * 16]",
        ".endr",
        "mrs x2, fpcr",
        "str x2, [x0, #{misc}]",
        "mrs x2, fpsr",
        "str x2, [x0, #{misc} + 8]",
        "mrs x2, tpidr_el0",
        "str x2, [x0, #{misc} + 16]",
        "mov x0, sp",
        "mov x29, xzr",
        "mov x30, xzr",
        "bl {start}",
        "udf #0",
        initial = sym INITIAL,
        x = const initial::X,
        q = const initial::Q,
        misc = const initial::MISC,
        start = sym start_rust,
    )
}

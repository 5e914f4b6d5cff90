//! The x86_64 glue of the conformance kit (`ldex-conformance`): which frame
//! slot is which register, and the callee-saved register probe.
//!
//! The host's unit tests run the kit's context and frame checks natively
//! (ring 3 can switch contexts); a kernel in QEMU runs the trap checks.

use ldex_conformance::{Backend, Hop};

use crate::X86_64;
use crate::context::Context;
use crate::frame::TrapFrame;

/// The conformance kit's backend for [`X86_64`].
#[derive(Debug)]
pub enum Kit {}

/// The frame's general-purpose registers in [`Kit`]'s numbering.
const REGISTERS: [&str; 16] = [
    "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8", "r9", "r10", "r11", "r12", "r13", "r14",
    "r15", "rsp",
];
const RAX: usize = 0;
const RCX: usize = 2;
const RDX: usize = 3;
const RSI: usize = 4;
const RDI: usize = 5;
const R8: usize = 7;
const R9: usize = 8;
const R10: usize = 9;
const R11: usize = 10;
const RSP: usize = 15;

fn slot(frame: &mut TrapFrame, index: usize) -> &mut u64 {
    let f = frame;
    match index {
        0 => &mut f.rax,
        1 => &mut f.rbx,
        2 => &mut f.rcx,
        3 => &mut f.rdx,
        4 => &mut f.rsi,
        5 => &mut f.rdi,
        6 => &mut f.rbp,
        7 => &mut f.r8,
        8 => &mut f.r9,
        9 => &mut f.r10,
        10 => &mut f.r11,
        11 => &mut f.r12,
        12 => &mut f.r13,
        13 => &mut f.r14,
        14 => &mut f.r15,
        15 => &mut f.rsp,
        _ => panic!("x86_64 has no frame register {index}"),
    }
}

// SAFETY: `probe` fills and checks all six callee-saved registers of the
// System V ABI (rbx, rbp, r12-r15) and rsp; the indices are in range.
unsafe impl Backend for Kit {
    type Arch = X86_64;

    const REGISTERS: &'static [&'static str] = &REGISTERS;
    const STACK_POINTER: usize = RSP;
    const SYSCALL_NUMBER: usize = RAX;
    const SYSCALL_ARGS: [usize; 6] = [RDI, RSI, RDX, R10, R8, R9];
    const SYSCALL_RETURN: usize = RAX;
    /// `syscall` puts the return rip in rcx and rflags in r11, and `sysretq`
    /// takes them from there.
    const TRAP_CLOBBERS: &'static [usize] = &[RCX, R11];

    fn register(frame: &TrapFrame, index: usize) -> usize {
        *slot(&mut frame.clone(), index) as usize
    }

    fn set_register(frame: &mut TrapFrame, index: usize, value: usize) {
        *slot(frame, index) = value as u64;
    }

    /// `syscall` is `0f 05`.
    const SYSCALL_LENGTH: usize = 2;

    unsafe fn probe(hop: Hop<Context>, a: *mut Context, b: *mut Context, seed: usize) -> u32 {
        // SAFETY: the caller's contract is hop's; probe restores every
        // callee-saved register it uses.
        unsafe { probe(hop, a, b, seed) }
    }
}

/// Fill rbx, rbp, r12-r15 with `seed + 0..6`, `hop(a, b)`, and return
/// bit i set for each of them that changed, bit 31 if rsp moved.
#[unsafe(naked)]
unsafe extern "C" fn probe(
    hop: Hop<Context>,
    a: *mut Context,
    b: *mut Context,
    seed: usize,
) -> u32 {
    core::arch::naked_asm!(
        "push rbx",
        "push rbp",
        "push r12",
        "push r13",
        "push r14",
        "push r15",
        "mov rax, rdi",
        "mov rdi, rsi",
        "mov rsi, rdx",
        "mov rbx, rcx",
        "lea rbp, [rcx + 1]",
        "lea r12, [rcx + 2]",
        "lea r13, [rcx + 3]",
        "lea r14, [rcx + 4]",
        "lea r15, [rcx + 5]",
        // Six pushes, this word and the two below keep the call 16-aligned.
        "sub rsp, 8",
        "push rcx",
        "push rsp",
        // The hop: returns here when the other side hops back.
        "call rax",
        "pop rax",
        "xor ecx, ecx",
        "cmp rax, rsp",
        "je 2f",
        "or ecx, 0x80000000",
        "2:",
        "pop rax",
        "add rsp, 8",
        "cmp rbx, rax",
        "je 3f",
        "or ecx, 1",
        "3:",
        "inc rax",
        "cmp rbp, rax",
        "je 3f",
        "or ecx, 2",
        "3:",
        "inc rax",
        "cmp r12, rax",
        "je 3f",
        "or ecx, 4",
        "3:",
        "inc rax",
        "cmp r13, rax",
        "je 3f",
        "or ecx, 8",
        "3:",
        "inc rax",
        "cmp r14, rax",
        "je 3f",
        "or ecx, 16",
        "3:",
        "inc rax",
        "cmp r15, rax",
        "je 3f",
        "or ecx, 32",
        "3:",
        "mov eax, ecx",
        "pop r15",
        "pop r14",
        "pop r13",
        "pop r12",
        "pop rbp",
        "pop rbx",
        "ret",
    )
}

#[cfg(test)]
mod tests;

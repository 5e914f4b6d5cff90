//! Trap entry and exit: the vector stubs, the `syscall` entry and the one
//! return path.
//!
//! # Entry (interrupts off on every path)
//! * **IDT vector** `v`: the CPU pushes ss, rsp, rflags, cs, rip (and an
//!   error code for vectors 8, 10–14, 17, 21, 29, 30); the stub pushes a 0
//!   error code where the CPU did not, then `v`, so every frame has one
//!   shape. `interrupt_entry` runs `swapgs` if the saved CS is ring 3,
//!   clears DF and pushes the fifteen GPRs.
//! * **`syscall`**: the CPU only moves rip to rcx and rflags to r11 and masks
//!   RFLAGS with SFMASK (IF, DF, TF, AC cleared); rsp is still the user's and
//!   is never used. `syscall_entry` does `swapgs`, parks the user rsp in
//!   the per-CPU area, loads the kernel stack top from it, and writes by hand
//!   the five words an interrupt would have pushed, then error code 0 and
//!   [`VECTOR_SYSCALL`], then the GPRs.
//!
//! Both then call into Rust with the frame through their
//! [`SinkSlot`] ([`IDT`] for the IDT path, whose [`IdtDispatch`] decodes
//! the vector; [`SYSCALL`], whose [`SyscallDispatch`] knows the cause):
//! `call [slot.function]` with rdi = the frame and rdx = `slot.sink`, one
//! Rust function made for the installed sink (see
//! `ldex_core::arch::SinkSlot`). Then they fall into `trap_return`, which
//! is also how a new process starts (`enter_user`).
//!
//! # Exit: the SYSRET hazard
//! `sysretq` loads rip from rcx *without* checking it in ring 0 on Intel
//! CPUs: a non-canonical rcx raises #GP in ring 0 with the user's rsp
//! already loaded, which lets ring 3 choose the kernel's stack. So
//! `trap_return` uses `sysretq` only for a frame built by `syscall` whose
//! rip is canonical, and `iretq` otherwise (and for every trap whose rcx and
//! r11 must come back intact). Before that, `dispatch` never lets a frame
//! with a non-canonical rip reach the exit at all: it reports it to the sink
//! as the execute fault the CPU would have raised in ring 3.

use core::mem::offset_of;

use ldex_core::TrapFrame as _;
use ldex_core::arch::{Dispatch, SinkSlot, TrapSink};
use ldex_core::cause::{AccessKind, Privilege, TrapCause};
use x86_64::registers::control::Cr2;

use crate::frame::{TrapFrame, VECTOR_SYSCALL, is_canonical};
use crate::gdt::{USER_CS, USER_SS};
use crate::percpu::PerCpu;

/// The IDT vector of the local APIC timer.
pub const TIMER_VECTOR: u8 = 0x40;
/// The IDT vector of the local APIC's spurious interrupt.
pub const SPURIOUS_VECTOR: u8 = 0xff;
/// The first IDT vector of the (remapped, masked) 8259 PICs.
pub const PIC_BASE: u8 = 0x20;
/// The IDT vector of an inter-processor interrupt ([`crate::smp`]):
/// priority class 4, with the timer's.
pub const IPI_VECTOR: u8 = 0x41;
/// The vector of the legacy `int 0x80` system call gate (DPL 3).
pub const INT80_VECTOR: u8 = 0x80;
/// The double-fault exception (#DF), delivered on the IST1 stack.
pub const DOUBLE_FAULT_VECTOR: u8 = 8;

/// Each vector stub starts on a 16-byte boundary (`push 0`, `push v`, `jmp`
/// take at most 12 bytes).
pub(crate) const STUB_SIZE: usize = 16;

/// Push the GPRs; the last pushed (r15) is at the lowest address, as
/// [`TrapFrame`] lays them out.
macro_rules! push_gprs {
    () => {
        "push rax\npush rbx\npush rcx\npush rdx\npush rsi\npush rdi\npush rbp\npush r8\npush r9\npush r10\npush r11\npush r12\npush r13\npush r14\npush r15"
    };
}

/// The exact reverse of `push_gprs!`.
macro_rules! pop_gprs {
    () => {
        "pop r15\npop r14\npop r13\npop r12\npop r11\npop r10\npop r9\npop r8\npop rbp\npop rdi\npop rsi\npop rdx\npop rcx\npop rbx\npop rax"
    };
}

/// The IDT path's binding to the sink ([`interrupt_entry`] calls it).
static IDT: SinkSlot<IdtDispatch> = SinkSlot::new();
/// The `syscall` path's binding to the sink ([`syscall_entry`] calls it).
static SYSCALL: SinkSlot<SyscallDispatch> = SinkSlot::new();
/// A new process's start's binding to the sink ([`refuse_noncanonical_start`]
/// calls it from Rust).
static START: SinkSlot<StartDispatch> = SinkSlot::new();

/// Remember where traps go, on both paths. Called by the trap table's
/// install before it loads the IDT and LSTAR.
pub(crate) fn set_sink<S: TrapSink<TrapFrame>>(sink: &'static S) {
    IDT.install(sink);
    SYSCALL.install(sink);
    START.install(sink);
}

/// The 256 vector stubs, 16 bytes apart; the first starts at the function's
/// address rounded up to 16 ([`stub_address`]).
#[unsafe(naked)]
pub(crate) extern "C" fn vector_stubs() {
    core::arch::naked_asm!(
        ".balign {stub}",
        ".set ldex_x86_vector, 0",
        ".rept 256",
        ".balign {stub}",
        ".if ldex_x86_vector == 8 || (ldex_x86_vector >= 10 && ldex_x86_vector <= 14) || ldex_x86_vector == 17 || ldex_x86_vector == 21 || ldex_x86_vector == 29 || ldex_x86_vector == 30",
        ".else",
        "push 0",
        ".endif",
        "push ldex_x86_vector",
        "jmp {entry}",
        ".set ldex_x86_vector, ldex_x86_vector + 1",
        ".endr",
        stub = const STUB_SIZE,
        entry = sym interrupt_entry,
    )
}

/// Where the stub of `vector` starts.
pub(crate) fn stub_address(vector: u8) -> u64 {
    let base = (vector_stubs as *const () as u64).next_multiple_of(STUB_SIZE as u64);
    base + u64::from(vector) * STUB_SIZE as u64
}

/// Common IDT entry: rsp points at the frame's `vector` word.
///
/// ```text
///   pushed by           kernel stack (grows down)
///   CPU                 ss rsp rflags cs rip [error_code]
///   stub                [0] vector                 <- rsp on entry here
///   here (push_gprs!)   rax rbx rcx rdx rsi rdi rbp r8 .. r15
///                                                  <- rsp = &TrapFrame
/// ```
#[unsafe(naked)]
extern "C" fn interrupt_entry() {
    core::arch::naked_asm!(
        "test byte ptr [rsp + {cs}], 3",
        "jz 2f",
        "swapgs",
        "2:",
        "cld",
        push_gprs!(),
        "mov rdi, rsp",
        "mov rdx, [rip + {slot} + {sink}]",
        // The crux: the dispatch made for the installed sink (module docs).
        "call [rip + {slot} + {function}]",
        "jmp {ret}",
        cs = const offset_of!(TrapFrame, cs) - offset_of!(TrapFrame, vector),
        slot = sym IDT,
        sink = const SinkSlot::<IdtDispatch>::SINK,
        function = const SinkSlot::<IdtDispatch>::FUNCTION,
        ret = sym trap_return,
    )
}

/// The `syscall` instruction's entry (IA32_LSTAR). Builds by hand what
/// an interrupt from ring 3 would have left on the kernel stack:
///
/// ```text
///   gs:[kstack_top] -> ss=USER_SS  user rsp (from gs:[user_rsp])  rflags=r11
///                      cs=USER_CS  rip=rcx  error_code=0  vector=VECTOR_SYSCALL
///   push_gprs!         rax rbx rcx rdx rsi rdi rbp r8 .. r15  <- &TrapFrame
/// ```
#[unsafe(naked)]
pub(crate) extern "C" fn syscall_entry() {
    core::arch::naked_asm!(
        "swapgs",
        "mov gs:[{user_rsp}], rsp",
        "mov rsp, gs:[{kstack_top}]",
        "push {user_ss}",
        "push qword ptr gs:[{user_rsp}]",
        "push r11",
        "push {user_cs}",
        "push rcx",
        "push 0",
        "push {vector}",
        push_gprs!(),
        "mov rdi, rsp",
        "mov rdx, [rip + {slot} + {sink}]",
        // The crux: the dispatch made for the installed sink (module docs).
        "call [rip + {slot} + {function}]",
        "jmp {ret}",
        user_rsp = const offset_of!(PerCpu, user_rsp),
        kstack_top = const offset_of!(PerCpu, kstack_top),
        user_ss = const USER_SS,
        user_cs = const USER_CS,
        vector = const VECTOR_SYSCALL,
        slot = sym SYSCALL,
        sink = const SinkSlot::<SyscallDispatch>::SINK,
        function = const SinkSlot::<SyscallDispatch>::FUNCTION,
        ret = sym trap_return,
    )
}

/// The one return path: rsp points at a [`TrapFrame`]. Restores it and
/// returns with `sysretq` (syscall frames with a canonical rip) or `iretq`.
#[unsafe(naked)]
extern "C" fn trap_return() -> ! {
    core::arch::naked_asm!(
        "cli",
        "test byte ptr [rsp + {cs}], 3",
        "jz 4f",
        "cmp qword ptr [rsp + {vector}], {vector_syscall}",
        "jne 3f",
        "mov rax, [rsp + {rip}]",
        "mov rcx, rax",
        "shl rcx, 16",
        "sar rcx, 16",
        "cmp rcx, rax",
        "jne 3f",
        // sysretq: rcx <- rip, r11 <- rflags, rsp <- the user's.
        pop_gprs!(),
        "mov rcx, [rsp + {rip} - {vector}]",
        "mov r11, [rsp + {rflags} - {vector}]",
        "mov rsp, [rsp + {rsp_} - {vector}]",
        "swapgs",
        "sysretq",
        // iretq to ring 3.
        "3:",
        pop_gprs!(),
        "add rsp, {rip} - {vector}",
        "swapgs",
        "iretq",
        // iretq to ring 0: no swapgs.
        "4:",
        pop_gprs!(),
        "add rsp, {rip} - {vector}",
        "iretq",
        cs = const offset_of!(TrapFrame, cs),
        vector = const offset_of!(TrapFrame, vector),
        rip = const offset_of!(TrapFrame, rip),
        rflags = const offset_of!(TrapFrame, rflags),
        rsp_ = const offset_of!(TrapFrame, rsp),
        vector_syscall = const VECTOR_SYSCALL,
    )
}

/// Start a process: load its frame as if it had trapped and return.
///
/// # Safety
/// `frame` is the trap frame at the top of the current kernel stack; it
/// describes a ring-3 context with a canonical rip.
#[unsafe(naked)]
pub(crate) unsafe extern "C" fn enter_user(frame: *mut TrapFrame) -> ! {
    core::arch::naked_asm!("mov rsp, rdi", "jmp {ret}", ret = sym trap_return)
}

/// Decode the frame's vector (and error code, and the faulting address of a
/// page fault, which `cr2` reads) into a cause. Every vector from 32 up is
/// a device interrupt, the spurious ones included (the local APIC's
/// [`SPURIOUS_VECTOR`], the masked PICs' IRQ 7 and 15): the OS asks its
/// board which device raised it, and counts the ones no device claims.
/// A double fault never returns: see [`double_fault`].
pub(crate) fn decode(frame: &TrapFrame, cr2: impl FnOnce() -> u64) -> TrapCause {
    let from = Privilege::of(frame);
    /// #GP error code: bit 1 says the selector names an IDT gate.
    const GP_IDT: u64 = 1 << 1;
    match frame.vector {
        VECTOR_SYSCALL => TrapCause::Syscall,
        0 => TrapCause::DivideError,
        3 => TrapCause::Breakpoint,
        6 => TrapCause::IllegalInstruction,
        // A fetch from a non-canonical address: #GP reports no address,
        // but the rip it saved is the address itself.
        13 if !is_canonical(frame.rip) => TrapCause::MemoryFault {
            addr: frame.rip as usize,
            access: AccessKind::Execute,
            from,
        },
        // `int3` through a DPL-0 gate: #GP naming IDT vector 3. CPUs put
        // the vector in bits 15:3; QEMU's TCG puts the gate's byte offset
        // (vector * 16) there, so accept both spellings.
        13 if frame.error_code == (3 << 3) | GP_IDT || frame.error_code == (3 << 4) | GP_IDT => {
            TrapCause::Breakpoint
        }
        10..=13 => TrapCause::PrivilegedInstruction,
        14 => {
            let addr = cr2();
            // The I/D bit is only reported with NX or SMEP on; a fetch fault
            // always faults at the rip it could not fetch.
            let access = if frame.error_code & (1 << 4) != 0 || addr == frame.rip {
                AccessKind::Execute
            } else if frame.error_code & (1 << 1) != 0 {
                AccessKind::Write
            } else {
                AccessKind::Read
            };
            TrapCause::MemoryFault {
                addr: addr as usize,
                access,
                from,
            }
        }
        v if v == u64::from(DOUBLE_FAULT_VECTOR) => double_fault(frame, cr2()),
        v if v == u64::from(INT80_VECTOR) => TrapCause::Syscall,
        v if v == u64::from(TIMER_VECTOR) => TrapCause::Timer,
        v if v == u64::from(IPI_VECTOR) => TrapCause::Ipi,
        2 => TrapCause::External(2),
        v @ 32..=255 => TrapCause::External(v as u32),
        v => TrapCause::Other(v as usize),
    }
}

/// A double fault: the CPU could not deliver an exception, nearly always
/// because the kernel stack overflowed into its guard page, so pushing the
/// page fault's frame faulted again. The IDT gate switched to the IST1
/// stack, so this code runs on a good stack, but the interrupted one (the
/// frame's rsp) is unusable and the kernel cannot go on: report and stop
/// here, through the kernel's panic handler, without calling the sink (it
/// could take locks the broken code holds). #DF is an abort: the saved rip
/// may not point at the instruction that faulted; CR2 holds the address of
/// the page fault that started it.
#[cold]
#[inline(never)]
fn double_fault(frame: &TrapFrame, cr2: u64) -> ! {
    match crate::gdt::ist_overflowed(frame.rsp) {
        Some(slot) => panic!(
            "double fault on the IST1 stack (IST{slot} stack overflow: rsp in its guard page): rip {:#x}, rsp {:#x}, cr2 {cr2:#x}\n{frame:#x?}",
            frame.rip, frame.rsp
        ),
        None => panic!(
            "double fault on the IST1 stack (kernel stack overflow?): rip {:#x}, rsp {:#x}, cr2 {cr2:#x}\n{frame:#x?}",
            frame.rip, frame.rsp
        ),
    }
}

/// Hand a non-canonical return rip to the sink as the ring-3 execute fault
/// it would become, until the sink ends the process or fixes the frame.
#[cold]
#[inline(never)]
fn refuse_noncanonical_return<S: TrapSink<TrapFrame>>(sink: &S, frame: &mut TrapFrame) {
    while returns_to_noncanonical(frame) {
        let cause = TrapCause::MemoryFault {
            addr: frame.rip as usize,
            access: AccessKind::Execute,
            from: Privilege::User,
        };
        sink.trap(frame, cause);
    }
}

/// Would returning from `frame` load a non-canonical rip in ring 3?
pub(crate) fn returns_to_noncanonical(frame: &TrapFrame) -> bool {
    frame.from_user() && !is_canonical(frame.rip)
}

/// A process about to start ([`ldex_core::Arch::return_to_user`]) whose
/// frame has a non-canonical rip: [`refuse_noncanonical_return`] through
/// the installed sink, as if it had trapped.
pub(crate) fn refuse_noncanonical_start(frame: &mut TrapFrame) {
    if returns_to_noncanonical(frame) {
        START.call(frame, 0);
    }
}

/// Not a trap: [`refuse_noncanonical_start`]'s way to the sink.
struct StartDispatch;

impl Dispatch for StartDispatch {
    type Frame = TrapFrame;

    fn dispatch<S: TrapSink<TrapFrame>>(sink: &'static S, frame: &mut TrapFrame, _: usize) {
        refuse_noncanonical_return(sink, frame);
    }
}

/// The `syscall` instruction's trap: its cause needs no decoding.
struct SyscallDispatch;

impl Dispatch for SyscallDispatch {
    type Frame = TrapFrame;

    #[inline(always)]
    fn dispatch<S: TrapSink<TrapFrame>>(sink: &'static S, frame: &mut TrapFrame, _: usize) {
        sink.trap(frame, TrapCause::Syscall);
        if returns_to_noncanonical(frame) {
            refuse_noncanonical_return(sink, frame);
        }
    }
}

/// Every IDT trap, with interrupts off; an IPI is acknowledged (the local
/// APIC's EOI) before the sink sees it.
struct IdtDispatch;

impl Dispatch for IdtDispatch {
    type Frame = TrapFrame;

    #[inline(always)]
    fn dispatch<S: TrapSink<TrapFrame>>(sink: &'static S, frame: &mut TrapFrame, _: usize) {
        crate::supervisor::clear_user_access();
        let cause = decode(frame, Cr2::read_raw);
        if cause == TrapCause::Ipi {
            crate::smp::acknowledge_ipi();
        }
        sink.trap(frame, cause);
        if returns_to_noncanonical(frame) {
            refuse_noncanonical_return(sink, frame);
        }
    }
}

#[cfg(test)]
mod tests;

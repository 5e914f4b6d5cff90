//! Arch-neutral trap causes.
//!
//! Every architecture decodes its own cause registers (RISC-V `scause` and
//! `stval`, the x86_64 vector number, error code and `cr2`) into a
//! [`TrapCause`] before the protocol sees the trap. The enum is not
//! `#[non_exhaustive]`: code that matches it must handle every cause, so a new
//! cause is a compile error everywhere it matters.

use core::fmt;

/// What kind of access faulted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AccessKind {
    /// A load.
    Read,
    /// A store.
    Write,
    /// An instruction fetch.
    Execute,
}

/// The privilege level a trap was taken from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Privilege {
    /// User mode (RISC-V U, x86 ring 3).
    User,
    /// Kernel mode (RISC-V S, x86 ring 0).
    Kernel,
}

impl Privilege {
    /// The privilege `frame` was trapped from, as its
    /// [`TrapFrame::from_user`](crate::TrapFrame::from_user) says: every
    /// arch's decoder asks this, so none writes the test itself.
    pub fn of<F: crate::TrapFrame>(frame: &F) -> Privilege {
        if frame.from_user() {
            Privilege::User
        } else {
            Privilege::Kernel
        }
    }
}

/// Why control came back to the kernel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TrapCause {
    /// The program asked for a system call (`ecall`, `syscall`, `int 0x80`).
    /// The frame's pc already names the instruction after the trap.
    Syscall,
    /// The timer interrupt.
    Timer,
    /// An inter-processor interrupt: another CPU called
    /// [`Arch::send_ipi`](crate::Arch::send_ipi) for this one (RISC-V: the
    /// supervisor software interrupt; x86_64: the local APIC's IPI vector;
    /// AArch64: GICv2 software-generated interrupt 0).
    /// The arch has acknowledged it; the kernel only looks at its
    /// pending-work word on the way out.
    Ipi,
    /// A device interrupt, with the arch's interrupt number (RISC-V: 9,
    /// the supervisor external interrupt, for every PLIC source; x86_64:
    /// the IDT vector). Prints as OSTEP names it, "device interrupt".
    External(u32),
    /// An instruction the CPU does not know (RISC-V illegal instruction with
    /// an unknown encoding, x86 `ud2`).
    IllegalInstruction,
    /// An instruction that exists but needs more privilege than the program
    /// has (writing a CSR of S-mode, `sret`, `wfi`; x86 `cli`, `hlt`, `lidt`,
    /// `wrmsr`, `mov cr3`, `in`/`out`: a general-protection fault).
    PrivilegedInstruction,
    /// A memory access that the address space does not allow.
    MemoryFault {
        /// The faulting address, when the hardware reports it.
        addr: usize,
        /// Load, store or fetch.
        access: AccessKind,
        /// Where the access came from.
        from: Privilege,
    },
    /// A breakpoint instruction (`ebreak`, `int3`).
    Breakpoint,
    /// An integer divide error (x86 `#DE`; the simulator's divide by zero).
    DivideError,
    /// A misaligned access the hardware refuses, at this address.
    Misaligned {
        /// The misaligned address.
        addr: usize,
        /// Load, store or fetch.
        access: AccessKind,
    },
    /// Anything else, with the arch's raw cause code.
    Other(usize),
}

impl TrapCause {
    /// Is this an interrupt (asynchronous) rather than an exception caused by
    /// the instruction that ran?
    pub const fn is_interrupt(&self) -> bool {
        matches!(
            self,
            TrapCause::Timer | TrapCause::Ipi | TrapCause::External(_)
        )
    }

    /// Is this a fault that, taken from user mode, ends the process under the
    /// kill policy? Syscalls, interrupts and breakpoints are not faults.
    pub const fn is_fault(&self) -> bool {
        match self {
            TrapCause::Syscall | TrapCause::Timer | TrapCause::Ipi | TrapCause::External(_) => {
                false
            }
            TrapCause::IllegalInstruction
            | TrapCause::PrivilegedInstruction
            | TrapCause::MemoryFault { .. }
            | TrapCause::Breakpoint
            | TrapCause::DivideError
            | TrapCause::Misaligned { .. }
            | TrapCause::Other(_) => true,
        }
    }
}

impl fmt::Display for AccessKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AccessKind::Read => "read",
            AccessKind::Write => "write",
            AccessKind::Execute => "execute",
        })
    }
}

impl fmt::Display for TrapCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            TrapCause::Syscall => f.write_str("system call"),
            TrapCause::Timer => f.write_str("timer interrupt"),
            TrapCause::Ipi => f.write_str("inter-processor interrupt"),
            TrapCause::External(irq) => write!(f, "device interrupt {irq}"),
            TrapCause::IllegalInstruction => f.write_str("illegal instruction"),
            TrapCause::PrivilegedInstruction => f.write_str("privileged instruction"),
            TrapCause::MemoryFault { addr, access, from } => {
                let who = match from {
                    Privilege::User => "user",
                    Privilege::Kernel => "kernel",
                };
                write!(f, "memory fault ({who} {access} at {addr:#x})")
            }
            TrapCause::Breakpoint => f.write_str("breakpoint"),
            TrapCause::DivideError => f.write_str("divide error"),
            TrapCause::Misaligned { addr, access } => {
                write!(f, "misaligned {access} at {addr:#x}")
            }
            TrapCause::Other(code) => write!(f, "trap {code:#x}"),
        }
    }
}

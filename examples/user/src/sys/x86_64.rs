//! x86_64: `syscall` and `int 0x80`, both with the number in rax, arguments
//! in rdi, rsi, rdx, r10, r8, r9 and the result in rax. `syscall` clobbers
//! rcx and r11 (the CPU stores rip and rflags there); the wrappers treat
//! `int 0x80` the same, so a kernel may return from either with `sysretq`.

/// A way into the kernel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gate {
    /// The `syscall` instruction.
    Syscall,
    /// The software interrupt `int 0x80` (a DPL-3 gate).
    Int80,
}

impl Gate {
    /// The usual gate.
    pub const NATIVE: Gate = Gate::Syscall;
    /// Every gate, for programs that test them all.
    pub const ALL: &'static [Gate] = &[Gate::Syscall, Gate::Int80];

    /// Its instruction, for messages.
    pub const fn name(self) -> &'static str {
        match self {
            Gate::Syscall => "syscall",
            Gate::Int80 => "int 0x80",
        }
    }

    /// # Safety
    /// See [`Gate::call`].
    pub(super) unsafe fn raw(self, nr: usize, args: [usize; 6]) -> usize {
        let ret;
        // SAFETY: the kernel preserves every register but rax, rcx and r11;
        // what it does to memory is the caller's contract.
        unsafe {
            match self {
                Gate::Syscall => core::arch::asm!(
                    "syscall",
                    inlateout("rax") nr => ret,
                    in("rdi") args[0],
                    in("rsi") args[1],
                    in("rdx") args[2],
                    in("r10") args[3],
                    in("r8") args[4],
                    in("r9") args[5],
                    lateout("rcx") _,
                    lateout("r11") _,
                    options(nostack),
                ),
                Gate::Int80 => core::arch::asm!(
                    "int 0x80",
                    inlateout("rax") nr => ret,
                    in("rdi") args[0],
                    in("rsi") args[1],
                    in("rdx") args[2],
                    in("r10") args[3],
                    in("r8") args[4],
                    in("r9") args[5],
                    lateout("rcx") _,
                    lateout("r11") _,
                    options(nostack),
                ),
            }
        }
        ret
    }
}

//! RISC-V: `ecall` with the number in a7, arguments in a0–a5, result in a0.

/// A way into the kernel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gate {
    /// `ecall`.
    Ecall,
}

impl Gate {
    /// The usual gate.
    pub const NATIVE: Gate = Gate::Ecall;
    /// Every gate, for programs that test them all.
    pub const ALL: &'static [Gate] = &[Gate::Ecall];

    /// Its instruction, for messages.
    pub const fn name(self) -> &'static str {
        "ecall"
    }

    /// # Safety
    /// See [`Gate::call`].
    pub(super) unsafe fn raw(self, nr: usize, args: [usize; 6]) -> usize {
        let ret;
        // SAFETY: the kernel preserves every register but a0; what it does
        // to memory is the caller's contract.
        unsafe {
            core::arch::asm!(
                "ecall",
                inlateout("a0") args[0] => ret,
                in("a1") args[1],
                in("a2") args[2],
                in("a3") args[3],
                in("a4") args[4],
                in("a5") args[5],
                in("a7") nr,
                options(nostack),
            );
        }
        ret
    }
}

//! AArch64: `svc #0` with the number in x8, arguments in x0–x5, result in
//! x0 (Linux arm64).

/// A way into the kernel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gate {
    /// `svc #0`.
    Svc,
}

impl Gate {
    /// The usual gate.
    pub const NATIVE: Gate = Gate::Svc;
    /// Every gate, for programs that test them all.
    pub const ALL: &'static [Gate] = &[Gate::Svc];

    /// Its instruction, for messages.
    pub const fn name(self) -> &'static str {
        "svc"
    }

    /// # Safety
    /// See [`Gate::call`].
    pub(super) unsafe fn raw(self, nr: usize, args: [usize; 6]) -> usize {
        let ret;
        // SAFETY: the kernel preserves every register but x0; what it does
        // to memory is the caller's contract.
        unsafe {
            core::arch::asm!(
                "svc #0",
                inlateout("x0") args[0] => ret,
                in("x1") args[1],
                in("x2") args[2],
                in("x3") args[3],
                in("x4") args[4],
                in("x5") args[5],
                in("x8") nr,
                options(nostack),
            );
        }
        ret
    }
}

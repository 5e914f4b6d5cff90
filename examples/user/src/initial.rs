//! The registers the kernel started the program with, as `_start` found
//! them before any code of ours changed one ([`start`](crate::start)
//! records them first thing).
//!
//! A new process, and one the kernel started over after a fault
//! (`FaultPolicy::Restart`), must find every register zero but the stack
//! pointer: anything else is state left over from another process or
//! from its own earlier run. `restart-clean` checks exactly that.
//!
//! ```text
//!   Initial (static, written by _start, read by Rust only afterwards)
//!   riscv                               x86_64
//!   +----------------------+ 0          +----------------------+ 0
//!   | x[32]  x0..x31       |            | fx[512] fxsave64 image|  (x87, MXCSR, xmm0-15)
//!   | f[32]  f0..f31 (rv64)|            | gpr[16] rax..r15      |  (rsp included)
//!   | fcsr         (rv64)  |            +----------------------+
//!   +----------------------+  (rv32, riscv32imac: x[32] only)
//!
//!   aarch64
//!   +----------------------------------+ 0
//!   | x[32]  x0..x30, sp               |
//!   | q[32]  q0..q31                   | 256
//!   | fpcr, fpsr, tpidr_el0            | 768
//!   +----------------------------------+
//! ```
//!
//! On aarch64 reading q0 is the process's first FP instruction, which the
//! kernel serves by turning FP on with every FP register zero; a restart
//! must turn it off again, so the next start's first read is zeros too.

use core::cell::UnsafeCell;
use core::mem::offset_of;

/// The recorded registers (layout in the module map).
#[repr(C, align(16))]
pub struct Initial {
    #[cfg(target_arch = "x86_64")]
    fx: [u8; 512],
    #[cfg(target_arch = "x86_64")]
    gpr: [u64; 16],
    #[cfg(not(target_arch = "x86_64"))]
    x: [usize; 32],
    #[cfg(target_arch = "riscv64")]
    f: [u64; 32],
    #[cfg(target_arch = "riscv64")]
    fcsr: usize,
    #[cfg(target_arch = "aarch64")]
    q: [u128; 32],
    #[cfg(target_arch = "aarch64")]
    misc: [u64; 3],
}

/// Where `_start` writes (only it, before any Rust code runs).
pub(crate) struct Slot(UnsafeCell<Initial>);

// SAFETY: written once by `_start` before any thread of Rust code exists,
// then only read.
unsafe impl Sync for Slot {}

/// The one record.
pub(crate) static INITIAL: Slot = Slot(UnsafeCell::new(Initial {
    #[cfg(target_arch = "x86_64")]
    fx: [0; 512],
    #[cfg(target_arch = "x86_64")]
    gpr: [0; 16],
    #[cfg(not(target_arch = "x86_64"))]
    x: [0; 32],
    #[cfg(target_arch = "riscv64")]
    f: [0; 32],
    #[cfg(target_arch = "riscv64")]
    fcsr: 0,
    #[cfg(target_arch = "aarch64")]
    q: [0; 32],
    #[cfg(target_arch = "aarch64")]
    misc: [0; 3],
}));

impl Slot {
    pub(crate) fn get(&self) -> *mut Initial {
        self.0.get()
    }
}

/// Offsets `_start`'s asm takes as `const` operands.
#[cfg(target_arch = "x86_64")]
pub(crate) const FX: usize = offset_of!(Initial, fx);
#[cfg(target_arch = "x86_64")]
pub(crate) const GPR: usize = offset_of!(Initial, gpr);
#[cfg(not(target_arch = "x86_64"))]
pub(crate) const X: usize = offset_of!(Initial, x);
#[cfg(target_arch = "riscv64")]
pub(crate) const F: usize = offset_of!(Initial, f);
#[cfg(target_arch = "riscv64")]
pub(crate) const FCSR: usize = offset_of!(Initial, fcsr);
#[cfg(target_arch = "aarch64")]
pub(crate) const Q: usize = offset_of!(Initial, q);
#[cfg(target_arch = "aarch64")]
pub(crate) const MISC: usize = offset_of!(Initial, misc);

/// One register that was not as a new process gets it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unclean {
    /// Its name.
    pub name: &'static str,
    /// What it held.
    pub value: u64,
}

/// The first register `_start` found other than a new process gets it:
/// every register zero but the stack pointer, and on x86_64 the x87 and SSE
/// control words at their init values (FCW 0x37f, MXCSR 0x1f80).
pub fn first_unclean() -> Option<Unclean> {
    // SAFETY: `_start` wrote the record before main; nothing writes it now.
    let r = unsafe { &*INITIAL.get() };
    imp::first_unclean(r)
}

#[cfg(target_arch = "x86_64")]
mod imp {
    use super::{Initial, Unclean};

    const GPR_NAMES: [&str; 16] = [
        "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12",
        "r13", "r14", "r15",
    ];
    /// x87 control word and MXCSR after reset (what the kernel loads).
    const FCW_INIT: u64 = 0x037f;
    const MXCSR_INIT: u64 = 0x1f80;

    fn word(fx: &[u8], at: usize, len: usize) -> u64 {
        let mut b = [0u8; 8];
        b[..len].copy_from_slice(&fx[at..at + len]);
        u64::from_le_bytes(b)
    }

    pub(super) fn first_unclean(r: &Initial) -> Option<Unclean> {
        for (i, (&name, &value)) in GPR_NAMES.iter().zip(&r.gpr).enumerate() {
            if i != 4 && value != 0 {
                return Some(Unclean { name, value });
            }
        }
        let fx = &r.fx;
        // The fxsave64 image: FCW, FSW, abridged FTW, FOP, FIP, FDP,
        // MXCSR, then st0-st7 (16 bytes each) at 32, xmm0-xmm15 at 160.
        let fields = [
            ("fcw", word(fx, 0, 2), FCW_INIT),
            ("fsw", word(fx, 2, 2), 0),
            ("ftw", word(fx, 4, 1), 0),
            ("mxcsr", word(fx, 24, 4), MXCSR_INIT),
        ];
        for (name, value, want) in fields {
            if value != want {
                return Some(Unclean { name, value });
            }
        }
        const ST: [&str; 8] = ["st0", "st1", "st2", "st3", "st4", "st5", "st6", "st7"];
        const XMM: [&str; 16] = [
            "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
            "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15",
        ];
        let st = ST.iter().enumerate().map(|(i, n)| (*n, 32 + 16 * i, 10));
        let xmm = XMM.iter().enumerate().map(|(i, n)| (*n, 160 + 16 * i, 16));
        for (name, at, len) in st.chain(xmm) {
            let (lo, hi) = (word(fx, at, 8), word(fx, at + 8, len - 8));
            if lo | hi != 0 {
                return Some(Unclean {
                    name,
                    value: lo | hi,
                });
            }
        }
        None
    }
}

#[cfg(target_arch = "aarch64")]
mod imp {
    use super::{Initial, Unclean};

    const Q_NAMES: [&str; 32] = [
        "q0", "q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "q9", "q10", "q11", "q12", "q13",
        "q14", "q15", "q16", "q17", "q18", "q19", "q20", "q21", "q22", "q23", "q24", "q25", "q26",
        "q27", "q28", "q29", "q30", "q31",
    ];
    const X_NAMES: [&str; 31] = [
        "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13",
        "x14", "x15", "x16", "x17", "x18", "x19", "x20", "x21", "x22", "x23", "x24", "x25", "x26",
        "x27", "x28", "x29", "x30",
    ];

    pub(super) fn first_unclean(r: &Initial) -> Option<Unclean> {
        let x = X_NAMES.iter().zip(&r.x).map(|(n, v)| (*n, *v as u128));
        let q = Q_NAMES.iter().zip(&r.q).map(|(n, v)| (*n, *v));
        let misc = ["fpcr", "fpsr", "tpidr_el0"]
            .iter()
            .zip(&r.misc)
            .map(|(n, v)| (*n, u128::from(*v)));
        x.chain(q)
            .chain(misc)
            .find(|&(_, value)| value != 0)
            .map(|(name, value)| Unclean {
                name,
                value: value as u64 | (value >> 64) as u64,
            })
    }
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
mod imp {
    use super::{Initial, Unclean};

    const X_NAMES: [&str; 32] = [
        "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4",
        "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4",
        "t5", "t6",
    ];
    #[cfg(target_arch = "riscv64")]
    const F_NAMES: [&str; 32] = [
        "f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9", "f10", "f11", "f12", "f13",
        "f14", "f15", "f16", "f17", "f18", "f19", "f20", "f21", "f22", "f23", "f24", "f25", "f26",
        "f27", "f28", "f29", "f30", "f31",
    ];

    pub(super) fn first_unclean(r: &Initial) -> Option<Unclean> {
        let x = X_NAMES
            .iter()
            .zip(&r.x)
            .enumerate()
            .filter(|&(i, _)| i != 2)
            .map(|(_, (n, v))| (*n, *v as u64));
        #[cfg(target_arch = "riscv64")]
        let x = {
            let f = F_NAMES.iter().zip(&r.f).map(|(n, v)| (*n, *v));
            x.chain(f).chain(core::iter::once(("fcsr", r.fcsr as u64)))
        };
        x.filter(|&(_, value)| value != 0)
            .map(|(name, value)| Unclean { name, value })
            .next()
    }
}

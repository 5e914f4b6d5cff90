//! The register-leak check's machinery: fill every register EL0 can see
//! with a pattern, trap, and record what came back.
//!
//! A [`Block`] holds the pattern (`want`) and the registers after the trap
//! (`got`): x0–x30, q0–q31, FPCR, FPSR, NZCV and TPIDR_EL0. The asm runs
//! with sp pointing at the block, its only base register, so every general
//! register can carry the pattern; x18, x19, x29 (which the compiler may not
//! give up) and the program's sp are saved in the block first and put back
//! last.
//!
//! ```text
//!   Block (sp during the trap)
//!   0      want x0..x30        31 * 8
//!   256    want q0..q31        32 * 16
//!   768    want fpcr, fpsr, nzcv, tpidr_el0
//!   800    got x0..x30
//!   1056   got q0..q31
//!   1568   got fpcr, fpsr, nzcv, tpidr_el0
//!   1600   saved sp, x18, x19, x29
//! ```

use core::fmt;
use core::mem::offset_of;

/// `x0`: the system call's result.
pub const X0: usize = 0;
/// `x8`: the system call number.
pub const X8: usize = 8;
/// The registers the timer spin uses (its counter, clock and gap).
pub const SPIN: [usize; 3] = [9, 10, 11];

/// Indices of the other checked registers, after x0–x30 (0–30).
const Q0: usize = 31;
const FPCR: usize = 63;
const FPSR: usize = 64;
const NZCV: usize = 65;
const TPIDR: usize = 66;

/// One trap's pattern and outcome (see the module map).
#[repr(C, align(16))]
pub struct Block {
    /// x0–x30 to load (x31 is padding).
    pub want: [u64; 32],
    want_q: [u128; 32],
    want_misc: [u64; 4],
    /// x0–x30 after the trap.
    pub got: [u64; 32],
    got_q: [u128; 32],
    got_misc: [u64; 4],
    saved: [u64; 4],
}

/// The first register that differs: its index (see [`Changed::code`]) and
/// the two values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Changed {
    index: usize,
    want: u128,
    got: u128,
}

impl Changed {
    /// The exit code that names it: x0–x30 are 1–31, q0–q31 32–63, FPCR
    /// 64, FPSR 65, NZCV 66, TPIDR_EL0 67.
    pub fn code(self) -> i32 {
        self.index as i32 + 1
    }
}

impl fmt::Display for Changed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.index {
            i @ 0..31 => write!(f, "x{i}")?,
            i @ Q0..FPCR => write!(f, "q{}", i - Q0)?,
            FPCR => f.write_str("fpcr")?,
            FPSR => f.write_str("fpsr")?,
            NZCV => f.write_str("nzcv")?,
            TPIDR => f.write_str("tpidr_el0")?,
            i => write!(f, "register {i}")?,
        }
        write!(f, " changed: {:#x} -> {:#x}", self.want, self.got)
    }
}

impl Block {
    /// A pattern from `seed`, `pid` and `kind`, distinct in every register.
    /// FPCR gets rounding toward zero and flush-to-zero, FPSR the QC and
    /// cumulative exception bits, NZCV N and C: all values a process may set.
    pub fn new(seed: u64, pid: usize, kind: usize) -> Block {
        let base = (seed << 56) | ((pid as u64) << 40) | ((kind as u64) << 32);
        let mut b = Block {
            want: [0; 32],
            want_q: [0; 32],
            want_misc: [0x01c0_0000, 0x0800_009f, 0xa000_0000, base | 0xdead],
            got: [0; 32],
            got_q: [0; 32],
            got_misc: [0; 4],
            saved: [0; 4],
        };
        for (i, w) in b.want.iter_mut().enumerate().take(31) {
            *w = base | (i as u64 * 0x0101);
        }
        for (i, q) in b.want_q.iter_mut().enumerate() {
            *q = (u128::from(base) << 64) | (0x100 + i as u128);
        }
        b
    }

    /// The first register (outside `skip`, indices of x0–x30) whose value
    /// changed across the trap.
    pub fn first_changed(&self, skip: &[usize]) -> Option<Changed> {
        let x = (0..31)
            .filter(|i| !skip.contains(i))
            .map(|i| (i, u128::from(self.want[i]), u128::from(self.got[i])));
        let q = (0..32).map(|i| (Q0 + i, self.want_q[i], self.got_q[i]));
        let misc = (0..4).map(|i| {
            (
                FPCR + i,
                u128::from(self.want_misc[i]),
                u128::from(self.got_misc[i]),
            )
        });
        x.chain(q)
            .chain(misc)
            .find(|(_, w, g)| w != g)
            .map(|(index, want, got)| Changed { index, want, got })
    }
}

const _: () = assert!(offset_of!(Block, want_q) == 256);
const _: () = assert!(offset_of!(Block, want_misc) == 768);
const _: () = assert!(offset_of!(Block, got) == 800);
const _: () = assert!(offset_of!(Block, got_q) == 1056);
const _: () = assert!(offset_of!(Block, got_misc) == 1568);
const _: () = assert!(offset_of!(Block, saved) == 1600);

/// Load every register from `$b.want`, run `$trap`, store every register
/// into `$b.got`, put the program's own registers back.
macro_rules! trap {
    ($b:expr, $($trap:literal),*) => {{
        let block: *mut Block = $b;
        // SAFETY: sp points at the block only between the save and the
        // restore, and the trap itself (a system call or a timer interrupt)
        // uses the kernel's stack; x18, x19, x29 and sp are put back, every
        // other register is declared clobbered.
        unsafe {
            core::arch::asm!(
                "mov x9, sp",
                "str x9, [x0, #{saved}]",
                "str x18, [x0, #{saved} + 8]",
                "str x19, [x0, #{saved} + 16]",
                "str x29, [x0, #{saved} + 24]",
                "mov sp, x0",
                "ldr x9, [sp, #{want_misc}]",
                "msr fpcr, x9",
                "ldr x9, [sp, #{want_misc} + 8]",
                "msr fpsr, x9",
                "ldr x9, [sp, #{want_misc} + 16]",
                "msr nzcv, x9",
                "ldr x9, [sp, #{want_misc} + 24]",
                "msr tpidr_el0, x9",
                ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31",
                "ldr q\\n, [sp, #{want_q} + \\n * 16]",
                ".endr",
                ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30",
                "ldr x\\n, [sp, #\\n * 8]",
                ".endr",
                $($trap,)*
                ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30",
                "str x\\n, [sp, #{got} + \\n * 8]",
                ".endr",
                ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31",
                "str q\\n, [sp, #{got_q} + \\n * 16]",
                ".endr",
                "mrs x9, fpcr",
                "str x9, [sp, #{got_misc}]",
                "mrs x9, fpsr",
                "str x9, [sp, #{got_misc} + 8]",
                "mrs x9, nzcv",
                "str x9, [sp, #{got_misc} + 16]",
                "mrs x9, tpidr_el0",
                "str x9, [sp, #{got_misc} + 24]",
                "msr fpcr, xzr",
                "msr fpsr, xzr",
                "mov x0, sp",
                "ldr x18, [x0, #{saved} + 8]",
                "ldr x19, [x0, #{saved} + 16]",
                "ldr x29, [x0, #{saved} + 24]",
                "ldr x9, [x0, #{saved}]",
                "mov sp, x9",
                want_q = const offset_of!(Block, want_q),
                want_misc = const offset_of!(Block, want_misc),
                got = const offset_of!(Block, got),
                got_q = const offset_of!(Block, got_q),
                got_misc = const offset_of!(Block, got_misc),
                saved = const offset_of!(Block, saved),
                inout("x0") block => _,
                out("x1") _, out("x2") _, out("x3") _, out("x4") _, out("x5") _, out("x6") _, out("x7") _,
                out("x8") _, out("x9") _, out("x10") _, out("x11") _, out("x12") _, out("x13") _, out("x14") _,
                out("x15") _, out("x16") _, out("x17") _, out("x20") _, out("x21") _, out("x22") _, out("x23") _,
                out("x24") _, out("x25") _, out("x26") _, out("x27") _, out("x28") _, out("x30") _,
                out("v0") _, out("v1") _, out("v2") _, out("v3") _, out("v4") _, out("v5") _, out("v6") _, out("v7") _,
                out("v8") _, out("v9") _, out("v10") _, out("v11") _, out("v12") _, out("v13") _, out("v14") _, out("v15") _,
                out("v16") _, out("v17") _, out("v18") _, out("v19") _, out("v20") _, out("v21") _, out("v22") _, out("v23") _,
                out("v24") _, out("v25") _, out("v26") _, out("v27") _, out("v28") _, out("v29") _, out("v30") _, out("v31") _,
            );
        }
    }};
}

/// Trap by `svc #0` with the block's x8 as the number.
pub fn trap_svc(b: &mut Block) {
    trap!(b, "svc #0");
}

/// Spin in x9–x11 (and touch nothing else, flags included) until a gap in
/// the virtual count shows the process was preempted (x9 = 1), or for
/// about 4 million rounds (x9 = 0).
pub fn trap_timer(b: &mut Block) {
    trap!(
        b,
        "movz x9, #0x40, lsl #16",
        "mrs x11, cntvct_el0",
        "1: mrs x10, cntvct_el0",
        "sub x11, x10, x11",
        // A gap of 2^18 counts (4.2 ms at 62.5 MHz): another process ran.
        "lsr x11, x11, #18",
        "cbnz x11, 2f",
        "mov x11, x10",
        "sub x9, x9, #1",
        "cbnz x9, 1b",
        "b 3f",
        "2: mov x9, #1",
        "3:"
    );
}

/// Was the spin of [`trap_timer`] preempted?
pub fn spun(b: &Block) -> bool {
    b.got[SPIN[0]] == 1
}

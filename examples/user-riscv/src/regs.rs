//! Register-leak checks: fill every register with a known pattern, trap,
//! and see what came back.
//!
//! One `asm!` block does the whole job, so the compiler can neither spill
//! nor reuse a register in between:
//!
//! 1. store the caller's x1–x31 (and on rv64 f0–f31, `fcsr`) into
//!    [`Block::save`] / `fsave`, with `a0` pointing at the block;
//! 2. `mv sp, a0`: from here `sp` is the only base register (it stays a
//!    sane, 16-aligned address inside the user stack, and its own value is
//!    checked too);
//! 3. load `fcsr`, f0–f31 and x1, x3–x31 from [`Block::want`] / `fwant`;
//! 4. the trap: `ecall`, a spin until the timer takes the CPU away, or a
//!    `sched_yield` (see the `trap_*` functions);
//! 5. store x1–x31 (sp included), f0–f31 and `fcsr` into [`Block::got`] /
//!    `fgot`;
//! 6. reload everything from `save` (sp last) and return to Rust.
//!
//! ```text
//!   Block (align 16), offsets from sp during steps 3-5
//!   +--------------------------+ 0
//!   | start  (spin start time) |
//!   | pad                      |
//!   | save[32]  caller's x0-x31|   x0 slot unused
//!   | want[32]  pattern        |   want[2] = the block's own address
//!   | got[32]   after the trap |
//!   | fsave[33] f0-f31, fcsr   |   rv64 only
//!   | fwant[33]                |
//!   | fgot[33]                 |
//!   +--------------------------+   < 2048 bytes: every offset fits `ld`/`sd`
//! ```
//!
//! rv32 (riscv32imac) has no FP registers, so only x1–x31 are checked there.

use core::mem::offset_of;

/// Register names by number, for messages.
pub const NAMES: [&str; 32] = [
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4",
    "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4",
    "t5", "t6",
];

/// `a0`: the system call result, the one register an `ecall` may change.
pub const A0: usize = 10;
/// `a7`: the system call number.
pub const A7: usize = 17;
/// `sp`.
pub const SP: usize = 2;

/// Whether this build checks FP registers (rv64, riscv64gc).
pub const HAS_FP: bool = cfg!(target_arch = "riscv64");

/// `rdtime` ticks that count as "another process ran": 2^13, 0.8 ms at the
/// 10 MHz timebase of QEMU `virt` (a tick that does not switch costs a few
/// microseconds; a quantum is 10 ms).
pub const GAP_SHIFT: usize = 13;
/// `rdtime` ticks after which a spin gives up: 2^21, 0.2 s (well inside the
/// full set's CPU limit of 30 ticks).
pub const BUDGET_SHIFT: usize = 21;
/// How long `regs-partner` spins before each yield: 2^14 ticks, 1.6 ms.
pub const PARTNER_SPIN_SHIFT: usize = 14;

/// The memory one check works in (see the module docs).
#[repr(C, align(16))]
pub struct Block {
    start: usize,
    pad: usize,
    save: [usize; 32],
    /// The pattern loaded into x0–x31 before the trap (x0's slot unused).
    pub want: [usize; 32],
    /// x0–x31 right after the trap.
    pub got: [usize; 32],
    fsave: [u64; 33],
    /// The pattern of f0–f31 and (index 32) `fcsr`.
    pub fwant: [u64; 33],
    /// f0–f31 and `fcsr` right after the trap.
    pub fgot: [u64; 33],
}

const XB: usize = core::mem::size_of::<usize>();
const _: () = assert!(core::mem::size_of::<Block>() < 2048);
const _: () = assert!(offset_of!(Block, save) % XB == 0 && offset_of!(Block, fsave) % 8 == 0);

impl Block {
    /// A block whose pattern is unique to `tag` (who fills it), `pid` and
    /// `kind` (which check) in every register: `tag` in the top byte, then
    /// pid, kind and the register number in the low bytes. `want[sp]` is the
    /// block's address, which the caller sets with [`Block::aim_sp`].
    pub fn new(tag: u8, pid: usize, kind: usize) -> Self {
        let word = |i: usize| ((tag as usize) << (usize::BITS - 8)) | (pid << 16) | (kind << 8) | i;
        let fword = |i: usize| {
            ((tag as u64) << 56) | ((pid as u64) << 16) | ((kind as u64) << 8) | i as u64
        };
        let mut fwant = core::array::from_fn(fword);
        // fcsr: frm and fflags, 8 bits; a valid rounding mode (1..=4).
        fwant[32] = (((kind % 4 + 1) << 5) | ((pid ^ kind ^ tag as usize) & 0x1f)) as u64;
        Block {
            start: 0,
            pad: 0,
            save: [0; 32],
            want: core::array::from_fn(word),
            got: [0; 32],
            fsave: [0; 33],
            fwant,
            fgot: [0; 33],
        }
    }

    /// Set `want[sp]` to where the block is (call once it stopped moving).
    pub fn aim_sp(&mut self) {
        self.want[SP] = self as *mut Block as usize;
    }

    /// The first register (other than those in `skip`) whose value after
    /// the trap differs from the pattern.
    pub fn first_changed(&self, skip: &[usize]) -> Option<Changed> {
        if let Some(i) = (1..32).find(|i| !skip.contains(i) && self.want[*i] != self.got[*i]) {
            return Some(Changed::X(i, self.want[i], self.got[i]));
        }
        if !HAS_FP {
            return None;
        }
        (0..33)
            .find(|i| self.fwant[*i] != self.fgot[*i])
            .map(|i| Changed::F(i, self.fwant[i], self.fgot[i]))
    }
}

/// A register that did not survive: its number, the pattern, what came back.
#[derive(Clone, Copy, Debug)]
pub enum Changed {
    /// x1–x31.
    X(usize, usize, usize),
    /// f0–f31, or `fcsr` as 32.
    F(usize, u64, u64),
}

impl Changed {
    /// The exit code naming the register: its number for x1–x31, 32 + n
    /// for fn, 64 for `fcsr`.
    pub fn code(self) -> i32 {
        match self {
            Changed::X(i, ..) => i as i32,
            Changed::F(i, ..) => 32 + i as i32,
        }
    }
}

impl core::fmt::Display for Changed {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match *self {
            Changed::X(i, w, g) => write!(f, "x{i} ({}) changed: {w:#x} -> {g:#x}", NAMES[i]),
            Changed::F(32, w, g) => write!(f, "fcsr changed: {w:#x} -> {g:#x}"),
            Changed::F(i, w, g) => write!(f, "f{i} changed: {w:#x} -> {g:#x}"),
        }
    }
}

#[cfg(target_arch = "riscv64")]
macro_rules! sx {
    () => {
        "sd"
    };
}
#[cfg(target_arch = "riscv64")]
macro_rules! lx {
    () => {
        "ld"
    };
}
#[cfg(target_arch = "riscv32")]
macro_rules! sx {
    () => {
        "sw"
    };
}
#[cfg(target_arch = "riscv32")]
macro_rules! lx {
    () => {
        "lw"
    };
}

/// Store or load f0–f31 and `fcsr` (through t0, which is free at each use)
/// at `$area` from `$base`; nothing on rv32.
#[cfg(target_arch = "riscv64")]
macro_rules! fp {
    (store, $area:literal, $base:literal) => {
        concat!(
            ".option push\n.option arch, +d\n",
            ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n",
            "fsd f\\n, ", $area, "+\\n*8(", $base, ")\n.endr\n",
            "frcsr t0\nsd t0, ", $area, "+32*8(", $base, ")\n",
            ".option pop\n"
        )
    };
    (load, $area:literal, $base:literal) => {
        concat!(
            ".option push\n.option arch, +d\n",
            "ld t0, ", $area, "+32*8(", $base, ")\nfscsr t0\n",
            ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n",
            "fld f\\n, ", $area, "+\\n*8(", $base, ")\n.endr\n",
            ".option pop\n"
        )
    };
}
#[cfg(target_arch = "riscv32")]
macro_rules! fp {
    ($op:ident, $area:literal, $base:literal) => {
        concat!("# no FP registers to ", stringify!($op), " at ", $area)
    };
}

/// Steps 1–6 of the module docs around the trap `$trap` (one string).
macro_rules! check {
    ($block:expr, $trap:expr $(, $name:ident = $value:expr)*) => {{
        let block: &mut Block = $block;
        // SAFETY: every register the block changes is reloaded from `save`
        // before it ends (sp last), so the compiler sees no register change;
        // memory is written only inside `*block`. The trap is a system call
        // without pointer arguments, or none at all.
        unsafe {
            core::arch::asm!(
                ".irp n, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31",
                concat!(sx!(), " x\\n, {save}+\\n*{xb}(a0)"),
                ".endr",
                fp!(store, "{fsave}", "a0"),
                "mv sp, a0",
                fp!(load, "{fwant}", "sp"),
                ".irp n, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31",
                concat!(lx!(), " x\\n, {want}+\\n*{xb}(sp)"),
                ".endr",
                $trap,
                ".irp n, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31",
                concat!(sx!(), " x\\n, {got}+\\n*{xb}(sp)"),
                ".endr",
                fp!(store, "{fgot}", "sp"),
                fp!(load, "{fsave}", "sp"),
                ".irp n, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31",
                concat!(lx!(), " x\\n, {save}+\\n*{xb}(sp)"),
                ".endr",
                concat!(lx!(), " sp, {save}+2*{xb}(sp)"),
                in("a0") block as *mut Block,
                save = const offset_of!(Block, save),
                want = const offset_of!(Block, want),
                got = const offset_of!(Block, got),
                fsave = const offset_of!(Block, fsave),
                fwant = const offset_of!(Block, fwant),
                fgot = const offset_of!(Block, fgot),
                xb = const XB,
                $($name = const $value,)*
            )
        }
    }};
}

/// Spin with `$prev`, `$now`, `$tmp` as the only scratch registers until
/// two `rdtime` reads in a row are at least 2^GAP_SHIFT apart (another
/// process ran in between) or 2^BUDGET_SHIFT ticks passed. The last two
/// reads are in `$prev` and `$now` afterwards.
macro_rules! spin {
    ($prev:literal, $now:literal, $tmp:literal) => {
        concat!(
            "rdtime ",
            $now,
            "\n",
            sx!(),
            " ",
            $now,
            ", {start}(sp)\n",
            "1: mv ",
            $prev,
            ", ",
            $now,
            "\n",
            "rdtime ",
            $now,
            "\n",
            "sub ",
            $tmp,
            ", ",
            $now,
            ", ",
            $prev,
            "\n",
            "srli ",
            $tmp,
            ", ",
            $tmp,
            ", {gap}\n",
            "bnez ",
            $tmp,
            ", 2f\n",
            lx!(),
            " ",
            $tmp,
            ", {start}(sp)\n",
            "sub ",
            $tmp,
            ", ",
            $now,
            ", ",
            $tmp,
            "\n",
            "srli ",
            $tmp,
            ", ",
            $tmp,
            ", {budget}\n",
            "beqz ",
            $tmp,
            ", 1b\n",
            "2:\n"
        )
    };
}

/// The trap is an `ecall` with the number in `want[a7]`.
pub fn trap_ecall(block: &mut Block) {
    check!(block, "ecall");
}

/// The trap is a timer interrupt: spin (scratch t4, t5, t6) until the
/// process was switched out and back. See [`spun`].
pub fn trap_timer_t(block: &mut Block) {
    check!(
        block,
        spin!("t4", "t5", "t6"),
        start = offset_of!(Block, start),
        gap = GAP_SHIFT,
        budget = BUDGET_SHIFT
    );
}

/// The same spin with scratch s9, s10, s11, so every register is checked
/// across a preemption by one of the two.
pub fn trap_timer_s(block: &mut Block) {
    check!(
        block,
        spin!("s9", "s10", "s11"),
        start = offset_of!(Block, start),
        gap = GAP_SHIFT,
        budget = BUDGET_SHIFT
    );
}

/// The scratch registers of [`trap_timer_t`] and [`trap_timer_s`]
/// (prev, now, tmp).
pub const SPIN_T: [usize; 3] = [29, 30, 31];
/// See [`SPIN_T`].
pub const SPIN_S: [usize; 3] = [25, 26, 27];

/// Whether the spin with scratch `regs` ended on a gap (rather than on the
/// budget): the process was preempted.
pub fn spun(block: &Block, regs: [usize; 3]) -> bool {
    block.got[regs[1]].wrapping_sub(block.got[regs[0]]) >> GAP_SHIFT != 0
}

/// `regs-partner`'s trap: spin 2^PARTNER_SPIN_SHIFT ticks (or until
/// preempted and back) with t5, t6 as scratch, reload them from the
/// pattern, and `ecall` (the number in `want[a7]`, `sched_yield`). Every
/// register holds the pattern at the `ecall`.
pub fn trap_spin_then_ecall(block: &mut Block) {
    check!(
        block,
        concat!(
            "rdtime t6\n",
            sx!(),
            " t6, {start}(sp)\n",
            "1: rdtime t6\n",
            lx!(),
            " t5, {start}(sp)\n",
            "sub t5, t6, t5\n",
            "srli t5, t5, {partner}\n",
            "beqz t5, 1b\n",
            lx!(),
            " t5, {want}+30*{xb}(sp)\n",
            lx!(),
            " t6, {want}+31*{xb}(sp)\n",
            "ecall"
        ),
        start = offset_of!(Block, start),
        partner = PARTNER_SPIN_SHIFT
    );
}

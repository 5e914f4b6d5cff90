//! Register-leak check: the kernel gives back exactly the registers it
//! took, on every way in and out (expects: exit 0, one line per check).
//!
//! One asm block per sample fills every general register but rsp, RFLAGS
//! (CF PF AF ZF SF OF and DF set), all sixteen vector registers (the
//! whole ymm register where the OS enabled AVX, else xmm), MXCSR and the x87
//! control word (rounding modes that differ between the two copies) with
//! values unique to this register and this process, traps, and stores everything
//! back to memory with rip-relative moves (no register needed for the
//! address), so the compiler never holds a value across the trap. Rust then
//! compares the snapshot with the fill, allowing only what the ABI says
//! changes:
//!
//! | check    | trap                                       | may change     |
//! |----------|--------------------------------------------|----------------|
//! | syscall  | `getpid` through `syscall`                 | rax, rcx, r11  |
//! | int 0x80 | `getpid` through `int 0x80`                | rax            |
//! | timer    | spin on a counter in memory until preempted| nothing (1)    |
//! | yield    | `sched_yield` through `syscall`, switching | rax, rcx, r11  |
//!
//! (1) the counter lives in memory so that every register keeps its fill
//! value for the whole spin, wherever the interrupt lands; the loop's
//! `dec`/`jnz` rewrite the arithmetic flags, so there RFLAGS is compared on
//! CF, IF and DF only.
//!
//! A timer interrupt (or a yield that ran another process) shows as a gap
//! in the `rdtsc` pair around the block: more instructions than the block
//! itself (with `-icount`, one TSC count per instruction). The timer check
//! runs blocks until three were interrupted, the yield check (run before
//! it, while other processes are surely runnable, also on several CPUs)
//! until some yield switched; two copies of this program run side by side, each
//! filling the registers with its own values, so the process switched to
//! dirties every register the other checks.
//!
//! On a mismatch it prints the check, the register, the value found and the
//! value filled, and exits with the register's number: 1..=16 the GPRs in
//! `GPRS` order, 17 RFLAGS, 18..=33 the vector registers, 34 MXCSR, 35 the
//! x87 control word; 90 if no preemption or switch was ever seen.
#![no_std]
#![no_main]

use core::arch::asm;
use core::cell::UnsafeCell;

use user::{println, sys};

user::entry!(main);

/// The general registers in snapshot order (rsp is recorded, not filled).
const GPRS: [&str; 16] = [
    "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10", "r11", "r12", "r13",
    "r14", "r15",
];
const RAX: usize = 0;
const RCX: usize = 2;
const RSP: usize = 7;
const R11: usize = 11;
/// The snapshot's RFLAGS slot, after the GPRs; vector registers follow.
const RFLAGS: usize = 16;
/// The exit code for MXCSR (the x87 control word is the next): after the
/// vector registers' 18..=33.
const MXCSR_CODE: i32 = 34;
/// What the fill sets in RFLAGS: the fixed bit 1, CF PF AF ZF SF, IF
/// (which ring 3 cannot change anyway), DF and OF.
const FLAGS_FILL: u64 = 0x2 | 0x1 | 0x4 | 0x10 | 0x40 | 0x80 | 0x200 | 0x400 | 0x800;
/// The bits compared: all of the above.
const FLAGS_ALL: u64 = FLAGS_FILL;
/// The bits the spin loop leaves alone: CF, IF, DF.
const FLAGS_SPIN: u64 = 0x1 | 0x200 | 0x400;

/// Registers as the asm reads and writes them.
#[repr(C, align(32))]
struct Regs {
    gpr: [u64; 16],
    rflags: u64,
    mxcsr: u32,
    _pad0: u32,
    fcw: u16,
    _pad1: [u16; 7],
    vec: [[u64; 4]; 16],
}

/// Memory shared with the asm blocks through `sym`.
struct Shared(UnsafeCell<Regs>);
// SAFETY: one thread; the asm blocks and `main` never overlap.
unsafe impl Sync for Shared {}

const ZERO: Regs = Regs {
    gpr: [0; 16],
    rflags: 0,
    mxcsr: 0,
    _pad0: 0,
    fcw: 0,
    _pad1: [0; 7],
    vec: [[0; 4]; 16],
};
/// What the block loads (rsp's slot: rsp just before the trap, written by
/// the block itself).
static FILL: Shared = Shared(UnsafeCell::new(ZERO));
/// What the block found after the trap.
static SNAP: Shared = Shared(UnsafeCell::new(ZERO));
/// `rdtsc` before the fill and after the snapshot.
static TSC: Word2 = Word2(UnsafeCell::new([0; 2]));
/// MXCSR and the x87 control word as the block leaves them: their reset
/// values (round to nearest, all exceptions masked).
static DEFAULTS: [u32; 2] = [0x1f80, 0x037f];
/// The spin loop's counter.
static COUNT: Word2 = Word2(UnsafeCell::new([0; 2]));

struct Word2(UnsafeCell<[u64; 2]>);
// SAFETY: as for `Shared`.
unsafe impl Sync for Word2 {}

/// The asm of one sample: `$mov $r` is `vmovdqu ymm` or `movdqu xmm`.
macro_rules! sample {
    ($mov:literal, $r:literal, $($trap:literal),*) => {
        asm!(
            "/* the spin counter: {count} */",
            "push rbx",
            "push rbp",
            "rdtsc", "shl rdx, 32", "or rax, rdx", "mov [rip + {tsc}], rax",
            concat!($mov, " ", $r, "0, [rip + {fill} + 160 + 0*32]"),
            concat!($mov, " ", $r, "1, [rip + {fill} + 160 + 1*32]"),
            concat!($mov, " ", $r, "2, [rip + {fill} + 160 + 2*32]"),
            concat!($mov, " ", $r, "3, [rip + {fill} + 160 + 3*32]"),
            concat!($mov, " ", $r, "4, [rip + {fill} + 160 + 4*32]"),
            concat!($mov, " ", $r, "5, [rip + {fill} + 160 + 5*32]"),
            concat!($mov, " ", $r, "6, [rip + {fill} + 160 + 6*32]"),
            concat!($mov, " ", $r, "7, [rip + {fill} + 160 + 7*32]"),
            concat!($mov, " ", $r, "8, [rip + {fill} + 160 + 8*32]"),
            concat!($mov, " ", $r, "9, [rip + {fill} + 160 + 9*32]"),
            concat!($mov, " ", $r, "10, [rip + {fill} + 160 + 10*32]"),
            concat!($mov, " ", $r, "11, [rip + {fill} + 160 + 11*32]"),
            concat!($mov, " ", $r, "12, [rip + {fill} + 160 + 12*32]"),
            concat!($mov, " ", $r, "13, [rip + {fill} + 160 + 13*32]"),
            concat!($mov, " ", $r, "14, [rip + {fill} + 160 + 14*32]"),
            concat!($mov, " ", $r, "15, [rip + {fill} + 160 + 15*32]"),
            "ldmxcsr dword ptr [rip + {fill} + 17*8]",
            "fldcw word ptr [rip + {fill} + 18*8]",
            "push qword ptr [rip + {fill} + 16*8]",
            "popfq",
            "mov [rip + {fill} + 7*8], rsp",
            "mov rax, [rip + {fill} + 0*8]",
            "mov rbx, [rip + {fill} + 1*8]",
            "mov rcx, [rip + {fill} + 2*8]",
            "mov rdx, [rip + {fill} + 3*8]",
            "mov rsi, [rip + {fill} + 4*8]",
            "mov rdi, [rip + {fill} + 5*8]",
            "mov rbp, [rip + {fill} + 6*8]",
            "mov r8, [rip + {fill} + 8*8]",
            "mov r9, [rip + {fill} + 9*8]",
            "mov r10, [rip + {fill} + 10*8]",
            "mov r11, [rip + {fill} + 11*8]",
            "mov r12, [rip + {fill} + 12*8]",
            "mov r13, [rip + {fill} + 13*8]",
            "mov r14, [rip + {fill} + 14*8]",
            "mov r15, [rip + {fill} + 15*8]",
            $($trap,)*
            "pushfq",
            "pop qword ptr [rip + {snap} + 16*8]",
            "stmxcsr dword ptr [rip + {snap} + 17*8]",
            "fnstcw word ptr [rip + {snap} + 18*8]",
            "mov [rip + {snap} + 0*8], rax",
            "mov [rip + {snap} + 1*8], rbx",
            "mov [rip + {snap} + 2*8], rcx",
            "mov [rip + {snap} + 3*8], rdx",
            "mov [rip + {snap} + 4*8], rsi",
            "mov [rip + {snap} + 5*8], rdi",
            "mov [rip + {snap} + 6*8], rbp",
            "mov [rip + {snap} + 7*8], rsp",
            "mov [rip + {snap} + 8*8], r8",
            "mov [rip + {snap} + 9*8], r9",
            "mov [rip + {snap} + 10*8], r10",
            "mov [rip + {snap} + 11*8], r11",
            "mov [rip + {snap} + 12*8], r12",
            "mov [rip + {snap} + 13*8], r13",
            "mov [rip + {snap} + 14*8], r14",
            "mov [rip + {snap} + 15*8], r15",
            concat!($mov, " [rip + {snap} + 160 + 0*32], ", $r, "0"),
            concat!($mov, " [rip + {snap} + 160 + 1*32], ", $r, "1"),
            concat!($mov, " [rip + {snap} + 160 + 2*32], ", $r, "2"),
            concat!($mov, " [rip + {snap} + 160 + 3*32], ", $r, "3"),
            concat!($mov, " [rip + {snap} + 160 + 4*32], ", $r, "4"),
            concat!($mov, " [rip + {snap} + 160 + 5*32], ", $r, "5"),
            concat!($mov, " [rip + {snap} + 160 + 6*32], ", $r, "6"),
            concat!($mov, " [rip + {snap} + 160 + 7*32], ", $r, "7"),
            concat!($mov, " [rip + {snap} + 160 + 8*32], ", $r, "8"),
            concat!($mov, " [rip + {snap} + 160 + 9*32], ", $r, "9"),
            concat!($mov, " [rip + {snap} + 160 + 10*32], ", $r, "10"),
            concat!($mov, " [rip + {snap} + 160 + 11*32], ", $r, "11"),
            concat!($mov, " [rip + {snap} + 160 + 12*32], ", $r, "12"),
            concat!($mov, " [rip + {snap} + 160 + 13*32], ", $r, "13"),
            concat!($mov, " [rip + {snap} + 160 + 14*32], ", $r, "14"),
            concat!($mov, " [rip + {snap} + 160 + 15*32], ", $r, "15"),
            "cld",
            "ldmxcsr dword ptr [rip + {defaults}]",
            "fldcw word ptr [rip + {defaults} + 4]",
            "rdtsc", "shl rdx, 32", "or rax, rdx", "mov [rip + {tsc} + 8], rax",
            "pop rbp",
            "pop rbx",
            fill = sym FILL,
            snap = sym SNAP,
            tsc = sym TSC,
            count = sym COUNT,
            defaults = sym DEFAULTS,
            out("rax") _, out("rcx") _, out("rdx") _, out("rsi") _, out("rdi") _,
            out("r8") _, out("r9") _, out("r10") _, out("r11") _,
            out("r12") _, out("r13") _, out("r14") _, out("r15") _,
            clobber_abi("C"),
        )
    };
}

// The offsets the asm uses.
const _: () = {
    assert!(core::mem::offset_of!(Regs, gpr) == 0);
    assert!(core::mem::offset_of!(Regs, rflags) == 16 * 8);
    assert!(core::mem::offset_of!(Regs, mxcsr) == 17 * 8);
    assert!(core::mem::offset_of!(Regs, fcw) == 18 * 8);
    assert!(core::mem::offset_of!(Regs, vec) == 160);
};

/// The ways into the kernel this program checks.
#[derive(Clone, Copy, PartialEq)]
enum Trap {
    Syscall,
    Int80,
    Spin,
    Yield,
}

impl Trap {
    fn name(self) -> &'static str {
        match self {
            Trap::Syscall => "syscall",
            Trap::Int80 => "int 0x80",
            Trap::Spin => "timer",
            Trap::Yield => "yield",
        }
    }

    /// The GPRs the ABI lets this trap change.
    fn clobbers(self) -> &'static [usize] {
        match self {
            Trap::Syscall | Trap::Yield => &[RAX, RCX, R11],
            Trap::Int80 => &[RAX],
            Trap::Spin => &[],
        }
    }

    fn flags_mask(self) -> u64 {
        if self == Trap::Spin {
            FLAGS_SPIN
        } else {
            FLAGS_ALL
        }
    }
}

/// Run one sample of `trap`; returns the `rdtsc` gap around it.
fn sample(trap: Trap, avx: bool) -> u64 {
    // SAFETY: the blocks save rbx and rbp, declare every other register
    // clobbered, clear DF and touch only FILL, SNAP, TSC and COUNT; the
    // traps are getpid, sched_yield or none.
    unsafe {
        match (trap, avx) {
            (Trap::Syscall, true) => sample!("vmovdqu", "ymm", "mov eax, 39", "syscall"),
            (Trap::Syscall, false) => sample!("movdqu", "xmm", "mov eax, 39", "syscall"),
            (Trap::Int80, true) => sample!("vmovdqu", "ymm", "mov eax, 39", "int 0x80"),
            (Trap::Int80, false) => sample!("movdqu", "xmm", "mov eax, 39", "int 0x80"),
            (Trap::Yield, true) => sample!("vmovdqu", "ymm", "mov eax, 24", "syscall"),
            (Trap::Yield, false) => sample!("movdqu", "xmm", "mov eax, 24", "syscall"),
            (Trap::Spin, true) => sample!(
                "vmovdqu",
                "ymm",
                "2:",
                "dec qword ptr [rip + {count}]",
                "jnz 2b"
            ),
            (Trap::Spin, false) => sample!(
                "movdqu",
                "xmm",
                "2:",
                "dec qword ptr [rip + {count}]",
                "jnz 2b"
            ),
        }
        let [t0, t1] = TSC.0.get().read_volatile();
        t1.wrapping_sub(t0)
    }
}

/// The first register `trap` changed against the ABI: (exit code, name,
/// found, filled).
fn first_leak(trap: Trap, avx: bool) -> Option<(i32, &'static str, u64, u64)> {
    // SAFETY: no asm block runs now.
    let (fill, snap) = unsafe { (&*FILL.0.get(), &*SNAP.0.get()) };
    for (i, name) in GPRS.iter().enumerate() {
        if !trap.clobbers().contains(&i) && snap.gpr[i] != fill.gpr[i] {
            return Some((i as i32 + 1, name, snap.gpr[i], fill.gpr[i]));
        }
    }
    let mask = trap.flags_mask();
    if snap.rflags & mask != fill.rflags & mask {
        return Some((RFLAGS as i32 + 1, "rflags", snap.rflags, fill.rflags));
    }
    if snap.mxcsr != fill.mxcsr {
        let (found, filled) = (snap.mxcsr.into(), fill.mxcsr.into());
        return Some((MXCSR_CODE, "mxcsr", found, filled));
    }
    if snap.fcw != fill.fcw {
        let (found, filled) = (snap.fcw.into(), fill.fcw.into());
        return Some((MXCSR_CODE + 1, "x87 control word", found, filled));
    }
    const VEC: [&str; 16] = [
        "ymm0", "ymm1", "ymm2", "ymm3", "ymm4", "ymm5", "ymm6", "ymm7", "ymm8", "ymm9", "ymm10",
        "ymm11", "ymm12", "ymm13", "ymm14", "ymm15",
    ];
    let lanes = if avx { 4 } else { 2 };
    for (i, name) in VEC.iter().enumerate() {
        if let Some(l) = (0..lanes).find(|&l| snap.vec[i][l] != fill.vec[i][l]) {
            // Name the xmm part when that is all that is checked or wrong.
            let name = if l < 2 { &name[1..] } else { name };
            return Some((
                RFLAGS as i32 + 2 + i as i32,
                name,
                snap.vec[i][l],
                fill.vec[i][l],
            ));
        }
    }
    None
}

/// Fill values: the register's number and the process's pid in every word.
fn init_fill(pid: u64) {
    // SAFETY: no asm block runs now.
    let fill = unsafe { &mut *FILL.0.get() };
    for (i, g) in fill.gpr.iter_mut().enumerate() {
        *g = 0x6700_0000_0000_0000 | (pid << 32) | (0xa5a5_0000 + i as u64);
    }
    fill.gpr[RSP] = 0;
    fill.rflags = FLAGS_FILL;
    // Rounding toward -inf or +inf (MXCSR.RC, FCW.RC) and flush-to-zero,
    // by pid, so the two copies differ from each other and from the reset.
    let rc = 1 + (pid & 1);
    fill.mxcsr = 0x1f80 | ((rc as u32) << 13) | 0x8000;
    fill.fcw = 0x037f | ((rc as u16) << 10);
    for (i, v) in fill.vec.iter_mut().enumerate() {
        for (l, w) in v.iter_mut().enumerate() {
            *w = 0x7600_0000_0000_0000 | (pid << 32) | ((i as u64) << 8) | l as u64;
        }
    }
}

/// Does the CPU have AVX and has the OS enabled its state (XCR0 SSE|AVX)?
fn avx_enabled() -> bool {
    let leaf1 = core::arch::x86_64::__cpuid(1);
    const OSXSAVE: u32 = 1 << 27;
    const AVX: u32 = 1 << 28;
    if leaf1.ecx & (OSXSAVE | AVX) != OSXSAVE | AVX {
        return false;
    }
    let xcr0: u32;
    // SAFETY: OSXSAVE says xgetbv is enabled.
    unsafe { asm!("xgetbv", in("ecx") 0, out("eax") xcr0, out("edx") _, options(nomem, nostack)) };
    xcr0 & 0b110 == 0b110
}

/// Samples of the timer check (each block spins this many iterations).
const SPIN: u64 = 100_000;
/// Interrupted blocks the timer check wants to see.
const PREEMPTIONS: usize = 3;
/// Yields in the yield check.
const YIELDS: usize = 200;
/// A gap this much above the smallest seen means the CPU ran something else.
const ELSEWHERE: u64 = 300;

fn main(_: user::Args) -> i32 {
    let pid = sys::getpid();
    let avx = avx_enabled();
    init_fill(pid as u64);
    let report = |trap: Trap, what: &str| -> Result<(), i32> {
        match first_leak(trap, avx) {
            None => Ok(()),
            Some((code, name, found, filled)) => {
                println!(
                    "regleak {pid}: {}: {name} changed to {found:#x} (was {filled:#x})",
                    trap.name()
                );
                Err(code)
            }
        }
        .map(|()| println!("regleak {pid}: {}: registers intact {what}", trap.name()))
    };
    let run = || -> Result<(), i32> {
        let mut fastest_getpid = u64::MAX;
        for _ in 0..20 {
            fastest_getpid = fastest_getpid.min(sample(Trap::Syscall, avx));
            if first_leak(Trap::Syscall, avx).is_some() {
                break;
            }
        }
        report(Trap::Syscall, "after getpid")?;
        for _ in 0..20 {
            sample(Trap::Int80, avx);
            if first_leak(Trap::Int80, avx).is_some() {
                break;
            }
        }
        report(Trap::Int80, "after getpid")?;

        // The yield check first, while the other programs are surely still
        // there to switch to: on several CPUs a late yield may find every
        // other process running elsewhere, and nothing to switch to.
        let mut switched = 0;
        for _ in 0..YIELDS {
            if sample(Trap::Yield, avx) > fastest_getpid + 2 * ELSEWHERE {
                switched += 1;
            }
            if first_leak(Trap::Yield, avx).is_some() {
                break;
            }
        }
        if switched == 0 && first_leak(Trap::Yield, avx).is_none() {
            println!("regleak {pid}: yield: never switched to another process");
            return Err(90);
        }
        report(Trap::Yield, "across switches to other processes")?;

        let (mut fastest, mut preempted, mut blocks) = (u64::MAX, 0, 0);
        while preempted < PREEMPTIONS {
            blocks += 1;
            if blocks > 10_000 {
                println!("regleak {pid}: timer: never preempted");
                return Err(90);
            }
            // SAFETY: no asm block runs now.
            unsafe { (*COUNT.0.get())[0] = SPIN };
            let gap = sample(Trap::Spin, avx);
            if first_leak(Trap::Spin, avx).is_some() {
                break;
            }
            if gap > fastest.saturating_add(ELSEWHERE) {
                preempted += 1;
            }
            fastest = fastest.min(gap);
        }
        report(Trap::Spin, "across 3 timer interrupts")
    };
    match run() {
        Ok(()) => 0,
        Err(code) => code,
    }
}

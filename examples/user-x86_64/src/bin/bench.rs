//! Instruction counts of the protocol's round trips, printed as
//! `bench: NAME INSTRUCTIONS` (what `cargo xtask bench-qemu` reads), for
//! `-icount shift=0,sleep=off`, where QEMU's TSC advances exactly one count
//! per guest instruction. Each figure is the smallest over many samples of
//! `rdtsc; <op>; rdtsc` minus the same sequence without `<op>`: the
//! instructions the operation itself executed, in user and kernel mode.
//!
//! * `syscall`: `getpid` through `syscall`/`sysretq`;
//! * `int 0x80`: `getpid` through the DPL-3 gate and `iretq`;
//! * yield: `sched_yield` while `bench-partner` also yields: this process
//!   traps, the partner runs its own `sched_yield` round, and this process
//!   returns (two traps, two switches, two returns);
//! * timer: the gap a timer interrupt leaves in a tight `rdtsc` loop, minus
//!   the loop's own step (entry, tick accounting, re-arm, exit; no switch).
//!
//! Run as `bench-arch` under the kernel's `arch-bench` harness (no protocol,
//! a minimal sink) it measures the two system call paths of the arch layer
//! alone.
#![no_std]
#![no_main]

use user::println;

user::entry!(main);

const SAMPLES: usize = 500;

/// Run `rdtsc; <op>; rdtsc` and return the difference. `op` must preserve
/// r8 (the kernel preserves it; rcx and r11 are clobbered by `syscall`).
macro_rules! sample {
    ($($op:literal),*) => {{
        let delta: u64;
        // SAFETY: the ops are system calls (or nothing) with no memory
        // arguments; the clobbers cover what the kernel may change.
        unsafe {
            core::arch::asm!(
                "rdtsc", "shl rdx, 32", "or rax, rdx", "mov r8, rax",
                $($op,)*
                "rdtsc", "shl rdx, 32", "or rax, rdx", "sub rax, r8",
                out("rax") delta, out("rdx") _, out("r8") _, out("rcx") _, out("r11") _,
                out("rdi") _,
            )
        };
        delta
    }};
}

fn min_of(f: impl Fn() -> u64) -> u64 {
    user::bench::min_of(SAMPLES, f)
}

fn main(args: user::Args) -> i32 {
    let base = min_of(|| sample!("mov eax, 39"));
    let syscall = min_of(|| sample!("mov eax, 39", "syscall")) - base;
    let int80 = min_of(|| sample!("mov eax, 39", "int 0x80")) - base;
    if args.str(0) == Some("bench-arch") {
        // The kernel's arch-bench harness: no protocol, no timer, no partner.
        println!("bench: arch layer only, null syscall round trip, syscall {syscall}");
        println!("bench: arch layer only, null syscall round trip, int 0x80 {int80}");
        return 0;
    }
    let yield_ = min_of(|| sample!("mov eax, 24", "syscall")) - base;
    println!("bench: null syscall round trip, syscall {syscall}");
    println!("bench: null syscall round trip, int 0x80 {int80}");
    println!("bench: yield round trip {yield_}");
    println!("bench: timer interrupt, entry to exit {}", timer_gap());
    0
}

/// The timer gap in a tight `rdtsc` loop.
fn timer_gap() -> u64 {
    user::bench::timer_gap(|| {
        let t: u64;
        // SAFETY: rdtsc has no effects.
        unsafe {
            core::arch::asm!("rdtsc", "shl rdx, 32", "or rax, rdx", out("rax") t, out("rdx") _, options(nomem, nostack))
        };
        t
    })
}

//! Register-leak check: fills every register EL0 can see with a pattern,
//! traps into the kernel and checks what came back (`user_aarch64::regs`),
//! three times:
//!
//! * `svc` (getpid): everything unchanged but x0, which must be the pid;
//! * a timer interrupt that switched to another process (spinning in
//!   x9–x11): everything else unchanged, NZCV included;
//! * `sched_yield` while `regs-partner` (booted right after) dirties every
//!   register between its own yields: unchanged but x0, which must be 0.
//!
//! Prints one line per check. Exit 0 if all pass; otherwise the first
//! changed register's code (see `Changed::code`), or 70 if the spin was
//! never preempted.
#![no_std]
#![no_main]

use user::{println, sys};
use user_aarch64::regs::{self, Block, SPIN, X0, X8};

user::entry!(main);

const KEPT: &str = "x0-x30, q0-q31, fpcr, fpsr, nzcv, tpidr_el0 kept";

fn main(_: user::Args) -> i32 {
    let pid = sys::getpid();
    let results = [
        syscall(pid, 1, "svc getpid", abi::Call::Getpid, pid),
        timer(pid),
        syscall(pid, 3, "sched_yield", abi::Call::SchedYield, 0),
    ];
    match results.iter().find(|c| **c != 0) {
        Some(code) => *code,
        None => {
            println!("regs-check: all 3 checks passed");
            0
        }
    }
}

/// One system call check: x0 must come back as `result`.
fn syscall(pid: usize, kind: usize, what: &str, call: abi::Call, result: usize) -> i32 {
    let mut b = Block::new(0xa5, pid, kind);
    b.want[X8] = sys::nr(call) as u64;
    regs::trap_svc(&mut b);
    if b.got[X0] != result as u64 {
        println!("regs-check: {what}: x0 = {:#x}, not {result:#x}", b.got[X0]);
        return 1;
    }
    if let Some(c) = b.first_changed(&[X0]) {
        println!("regs-check: {what}: {c}");
        return c.code();
    }
    println!("regs-check: {what}: {KEPT}, x0 = {result}");
    0
}

/// The timer check.
fn timer(pid: usize) -> i32 {
    let mut b = Block::new(0xa5, pid, 2);
    regs::trap_timer(&mut b);
    if let Some(c) = b.first_changed(&SPIN) {
        println!("regs-check: timer: {c}");
        return c.code();
    }
    if !regs::spun(&b) {
        println!("regs-check: timer: never preempted within the spin budget");
        return 70;
    }
    println!("regs-check: timer: {KEPT} across a preemption");
    0
}

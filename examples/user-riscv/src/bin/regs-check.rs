//! Register-leak check: fills every register it can with a pattern, traps
//! into the kernel and checks what came back (`user_riscv::regs`), four
//! times:
//!
//! * `ecall` (getpid): x1–x31 (rv64: f0–f31, `fcsr`) unchanged but a0,
//!   which must be the pid;
//! * a timer interrupt that switched to another process, twice (spinning
//!   in t4–t6, then in s9–s11, so each register is checked across a
//!   preemption in one of them): everything else unchanged;
//! * `sched_yield` while `regs-partner` (booted right after) dirties every
//!   register between its own yields: unchanged but a0, which must be 0.
//!
//! Prints one line per check. Exit 0 if all pass; otherwise the first
//! changed register's number (x: 1–31, fN: 32 + N, fcsr: 64), or 65 if a
//! spin was never preempted.
#![no_std]
#![no_main]

use user::{println, sys};
use user_riscv::regs::{self, A0, A7, Block};

user::entry!(main);

/// What the checks promise to have checked.
const KEPT: &str = if regs::HAS_FP {
    "x1-x31, f0-f31 and fcsr kept"
} else {
    "x1-x31 kept"
};

/// Report one check: the first changed register (outside `skip`), or else
/// the `extra` condition's failure.
fn report(what: &str, block: &Block, skip: &[usize], extra: Result<(), (&str, i32)>) -> i32 {
    if let Some(c) = block.first_changed(skip) {
        println!("regs-check: {what}: {c}");
        return c.code();
    }
    match extra {
        Ok(()) => 0,
        Err((why, code)) => {
            println!("regs-check: {what}: {why}");
            code
        }
    }
}

fn main(_: user::Args) -> i32 {
    let pid = sys::getpid();
    let results = [
        syscall(pid, 1, "ecall getpid", abi::Call::Getpid, (pid, "pid")),
        timer(
            pid,
            2,
            "timer (spin in t4-t6)",
            regs::trap_timer_t,
            regs::SPIN_T,
        ),
        timer(
            pid,
            3,
            "timer (spin in s9-s11)",
            regs::trap_timer_s,
            regs::SPIN_S,
        ),
        syscall(pid, 4, "sched_yield", abi::Call::SchedYield, (0, "0")),
    ];
    match results.iter().find(|c| **c != 0) {
        Some(code) => *code,
        None => {
            println!("regs-check: all 4 checks passed");
            0
        }
    }
}

/// One system call check: `ecall` with `call`'s number in a7; a0 must
/// come back as `result` (a value and how to print it).
fn syscall(pid: usize, kind: usize, what: &str, call: abi::Call, result: (usize, &str)) -> i32 {
    let (result, shown) = result;
    let mut b = Block::new(0xa5, pid, kind);
    b.want[A7] = sys::nr(call);
    b.aim_sp();
    regs::trap_ecall(&mut b);
    let a0 = match b.got[A0] {
        got if got == result => Ok(()),
        got => {
            println!("regs-check: {what}: a0 = {got:#x}, not {shown}");
            Err(("a0 is wrong", A0 as i32))
        }
    };
    let code = report(what, &b, &[A0], a0);
    if code == 0 {
        println!("regs-check: {what}: {KEPT}, a0 = {shown}");
    }
    code
}

/// One timer check, spinning in the registers `scratch`.
fn timer(pid: usize, kind: usize, what: &str, trap: fn(&mut Block), scratch: [usize; 3]) -> i32 {
    let mut b = Block::new(0xa5, pid, kind);
    b.aim_sp();
    trap(&mut b);
    let preempted = if regs::spun(&b, scratch) {
        Ok(())
    } else {
        Err(("never preempted within the spin budget", 65))
    };
    let code = report(what, &b, &scratch, preempted);
    if code == 0 {
        println!("regs-check: {what}: {KEPT} across a preemption");
    }
    code
}

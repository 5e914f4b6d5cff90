//! `regs-check`'s partner: 50 times, fills every register with its own
//! pattern (different from `regs-check`'s), spins 1.6 ms (or until
//! preempted and back) and calls `sched_yield`, so whatever runs before
//! `regs-check` returns from its yield, the hardware registers were dirty.
//! It checks its own registers after each yield the same way
//! (`user_riscv::regs`). Exit 0, or the first changed register's number.
#![no_std]
#![no_main]

use user::{println, sys};
use user_riscv::regs::{self, A0, A7, Block};

user::entry!(main);

const ROUNDS: usize = 50;

fn main(_: user::Args) -> i32 {
    let pid = sys::getpid();
    for round in 0..ROUNDS {
        let mut b = Block::new(0x5a, pid, round);
        b.want[A7] = sys::nr(abi::Call::SchedYield);
        b.aim_sp();
        regs::trap_spin_then_ecall(&mut b);
        if let Some(c) = b.first_changed(&[A0]) {
            println!("regs-partner: round {round}: {c}");
            return c.code();
        }
    }
    println!("regs-partner: {ROUNDS} rounds of dirty, spin, yield; own registers kept");
    0
}

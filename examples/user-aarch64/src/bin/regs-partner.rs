//! `regs-check`'s partner: 50 times, fills every register with its own
//! pattern (different from `regs-check`'s), spins until preempted (or a
//! while) and calls `sched_yield`, so whatever runs before `regs-check`
//! returns from its yield, the hardware registers were dirty. It checks its
//! own registers after each yield the same way. Exit 0, or the first
//! changed register's code.
#![no_std]
#![no_main]

use user::{println, sys};
use user_aarch64::regs::{self, Block, X0, X8};

user::entry!(main);

const ROUNDS: usize = 50;

fn main(_: user::Args) -> i32 {
    let pid = sys::getpid();
    for round in 0..ROUNDS {
        let mut b = Block::new(0x5a, pid, round);
        b.want[X8] = sys::nr(abi::Call::SchedYield) as u64;
        regs::trap_svc(&mut b);
        if let Some(c) = b.first_changed(&[X0]) {
            println!("regs-partner: round {round}: {c}");
            return c.code();
        }
    }
    println!("regs-partner: {ROUNDS} rounds of dirty, yield; own registers kept");
    0
}

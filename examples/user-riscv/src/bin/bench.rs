//! Instruction counts of the protocol's round trips, for
//! `-icount shift=0,sleep=off`, where QEMU's `instret` advances exactly one
//! per guest instruction (U, S and M mode alike). Each figure is the
//! smallest over many samples of `rdinstret; <op>; rdinstret` minus the same
//! sequence without `<op>`: the instructions the operation itself executed.
//!
//! * null syscall: `getpid` through `ecall`/`sret`;
//! * yield: `sched_yield` while `bench-partner` also yields: this process
//!   traps, the partner returns from its own `sched_yield`, loops and yields
//!   again, and this process returns (two traps, two switches, two returns);
//! * timer: the gap a timer interrupt leaves in a tight `rdinstret` loop,
//!   minus the loop's own step (entry, tick accounting, re-arm, exit; boot
//!   with a long quantum so no tick switches).
//!
//! Needs `scounteren.IR`, which kernel-riscv sets.
#![no_std]
#![no_main]

user::entry!(user::bench::one_gate);

//! Instruction counts of the protocol's round trips, for
//! `-icount shift=0,sleep=off`, where QEMU's PMU event 0x08
//! (`INST_RETIRED`, in `PMEVCNTR0_EL0`) advances exactly one per guest
//! instruction (EL0 and EL1 alike). Each figure is the smallest over many
//! samples of `mrs; <op>; mrs` minus the same sequence without `<op>`: the
//! instructions the operation itself executed.
//!
//! * null syscall: `getpid` through `svc`/`eret`;
//! * yield: `sched_yield` while `bench-partner` also yields: this process
//!   traps, the partner returns from its own `sched_yield`, loops and yields
//!   again, and this process returns (two traps, two switches, two returns);
//! * timer: the gap a timer interrupt leaves in a tight counter loop,
//!   minus the loop's own step (entry, tick accounting, re-arm, exit; boot
//!   with a long quantum so no tick switches).
//!
//! Needs `PMUSERENR_EL0.ER` and the counter set up, which kernel-aarch64
//! does.
#![no_std]
#![no_main]

user::entry!(user::bench::one_gate);

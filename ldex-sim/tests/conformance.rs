//! The conformance kit (`ldex-conformance`) on the simulator: every check,
//! the trap checks included, since the simulated machine has a kernel mode,
//! a trap table and a timer.
//!
//! The simulator's glue is the hosted kind: its switch is Rust code, so the
//! register probe checks what a hosted kernel thread keeps across a switch
//! (its locals and its stack), and its user "instructions" are scenario ops.

use std::hint::black_box;

use ldex_conformance::trap::{self, Snippet};
use ldex_conformance::{Backend, Hop};
use ldex_core::BootToken;
use ldex_core::arch::TrapTable as _;
use ldex_sim::Op;
use ldex_sim::arch::{SimArch, SimFrame, SimTimer, SimTrapTable};
use ldex_sim::context::SimContext;
use ldex_sim::machine::Machine;
use ldex_sim::memory::Memory;

/// The conformance kit's backend for the simulator.
enum Kit {}

const REGISTERS: [&str; 9] = ["sp", "counter", "a0", "a1", "a2", "a3", "a4", "a5", "nr"];
const NR: usize = 8;

fn slot(frame: &mut SimFrame, index: usize) -> &mut usize {
    match index {
        0 => &mut frame.sp,
        1 => &mut frame.counter,
        2..=7 => &mut frame.a[index - 2],
        NR => &mut frame.nr,
        _ => panic!("the simulator has no frame register {index}"),
    }
}

// SAFETY: the probe checks what a hosted kernel thread keeps across a
// switch; the indices are those of `REGISTERS`.
unsafe impl Backend for Kit {
    type Arch = SimArch;

    const REGISTERS: &'static [&'static str] = &REGISTERS;
    const STACK_POINTER: usize = 0;
    const SYSCALL_NUMBER: usize = NR;
    const SYSCALL_ARGS: [usize; 6] = [2, 3, 4, 5, 6, 7];
    const SYSCALL_RETURN: usize = 2;
    /// A simulated system call instruction loads its number and arguments,
    /// and completing it clears the progress counter.
    const TRAP_CLOBBERS: &'static [usize] = &[1, 2, 3, 4, 5, 6, 7, NR];

    fn register(frame: &SimFrame, index: usize) -> usize {
        *slot(&mut frame.clone(), index)
    }

    fn set_register(frame: &mut SimFrame, index: usize, value: usize) {
        *slot(frame, index) = value;
    }

    const SYSCALL_LENGTH: usize = 1;

    unsafe fn probe(
        hop: Hop<SimContext>,
        a: *mut SimContext,
        b: *mut SimContext,
        seed: usize,
    ) -> u32 {
        let values: [usize; 6] = std::array::from_fn(|i| seed + i);
        let kept = black_box(values);
        let sp = black_box(&raw const kept as usize);
        // SAFETY: the caller's contract is hop's.
        unsafe { hop(a, b) };
        let lost = (0..6).filter(|&i| black_box(kept)[i] != values[i]);
        let moved = u32::from(black_box(&raw const kept as usize) != sp) << 31;
        lost.fold(moved, |mask, i| mask | 1 << i)
    }
}

/// A machine with the kit's snippet (`syscall; syscall; spin`) loaded as
/// address space 0.
fn machine() {
    let snippet = [
        Op::Syscall(0x5eed, vec![]),
        Op::Syscall(0x5eed, vec![]),
        Op::Spin,
    ];
    Machine::adopt(Machine::new(
        vec![Memory::load(&snippet)],
        Vec::new(),
        10,
        100,
    ));
}

// `machine()` makes a fresh machine, whose interrupts are off, and only the
// kit switches on it.
ldex_conformance::unprivileged_tests!(Kit, machine());

#[test]
fn trap_checks_round_trip_pc_advance_interrupts_off_and_return_window() {
    machine();
    // SAFETY: boot code of a fresh machine in kernel mode, once.
    let token = unsafe { BootToken::new() };
    SimTrapTable::install(&token, trap::sink::<Kit>());
    let snippet = Snippet::<Kit> {
        entry: 0,
        stack: 0x7000,
        aspace: Some(0),
    };
    // SAFETY: kernel mode, interrupts off, the kit's sink installed, and the
    // snippet is the program `machine` loaded.
    let outcomes = unsafe { trap::run::<Kit>(&snippet, &SimTimer) };
    for (check, outcome) in outcomes {
        println!(
            "conformance: {check}: {}",
            if outcome.is_ok() { "ok" } else { "FAILED" }
        );
    }
    for (_, outcome) in outcomes {
        outcome.unwrap_or_else(|failure| panic!("{failure}"));
    }
}

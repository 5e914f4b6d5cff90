//! The tick-driven machine the replay runs on, until `ldex-sim`'s simulated
//! machine (the kernel protocol over a simulated arch) takes its place.
//!
//! It is a protocol driver, not a policy: every decision comes from the
//! [`Scheduler`] it is given, called in the order documented in
//! `ldex_core::sched` ("The order of calls at a tick boundary"). That order
//! is exactly what the simulated machine must do for the OSTEP numbers to
//! come out:
//!
//! ```text
//! boundary t (end of tick t-1; t = 0 is the start):
//!   t > 0:  d = tick(running)             charge tick t-1, maybe boost
//!           running's compute op done? run its zero-time ops now:
//!             Io(n) -> block(p), wake due at boundary t+n;  Exit -> exit(p)
//!           still running && d == Preempt -> put_back(p, Preempted)
//!   arrivals at t, in id order:     admit(p);  should_preempt(running)?
//!   I/O completions at t, pid order: wake(p);  should_preempt(running)?
//!   CPU free -> pick_next(), then the picked process's leading zero-time
//!               ops (which may block or exit it at once: pick again)
//!   tick t: the running process executes one unit of its compute op
//! ```

use ldex_core::Pid;
use ldex_core::sched::{Decision, Hint, Requeue, Scheduler};

/// One step of a process's program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// Use the CPU for this many ticks.
    Compute(u64),
    /// Start an I/O that completes this many ticks later; the process
    /// blocks until then.
    Io(u64),
    /// End the process.
    Exit,
}

/// A process of a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcSpec {
    /// The tick at which it is admitted.
    pub arrival: u64,
    /// What the policy is told at admission.
    pub hint: Hint,
    /// What it does; a program that runs off its end exits.
    pub program: Vec<Op>,
}

/// The machine stopped without finishing every process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stuck {
    /// The policy refused an admission (`Full`).
    Refused(usize),
    /// Nothing finished within the tick budget: the policy never ran a
    /// runnable process, or the workload is larger than the budget.
    OutOfTicks(u64),
}

struct Proc {
    pc: usize,
    /// Ticks left in the current compute op.
    left: u64,
}

/// Run the processes (process k gets pid index k) to completion under
/// `sched`; returns the end time.
pub fn run(procs: &[ProcSpec], sched: &mut dyn Scheduler, max_ticks: u64) -> Result<u64, Stuck> {
    let mut state: Vec<Proc> = procs.iter().map(|_| Proc { pc: 0, left: 0 }).collect();
    let mut wakes: Vec<(u64, usize)> = Vec::new();
    let mut running: Option<usize> = None;
    let mut finished = 0;
    let mut t = 0;
    loop {
        if t > 0 {
            let decision = sched.tick(running.map(Pid::from_index));
            if let Some(p) = running {
                if state[p].left == 0 && !settle(p, &mut state, procs, sched, t, &mut wakes, &mut finished) {
                    running = None;
                } else if decision == Decision::Preempt {
                    sched.put_back(Pid::from_index(p), Requeue::Preempted);
                    running = None;
                }
            }
        }
        if finished == procs.len() {
            return Ok(t);
        }
        if t >= max_ticks {
            return Err(Stuck::OutOfTicks(max_ticks));
        }
        for (k, spec) in procs.iter().enumerate() {
            if spec.arrival == t {
                sched.admit(Pid::from_index(k), spec.hint).map_err(|_| Stuck::Refused(k))?;
                check_preempt(sched, &mut running);
            }
        }
        let mut due: Vec<usize> = wakes.iter().filter(|w| w.0 == t).map(|w| w.1).collect();
        due.sort_unstable();
        wakes.retain(|w| w.0 != t);
        for p in due {
            sched.wake(Pid::from_index(p));
            check_preempt(sched, &mut running);
        }
        while running.is_none() {
            let Some(pid) = sched.pick_next() else { break };
            let p = pid.index();
            if p >= procs.len() {
                break;
            }
            if state[p].left > 0 || settle(p, &mut state, procs, sched, t, &mut wakes, &mut finished) {
                running = Some(p);
            }
        }
        if let Some(p) = running {
            state[p].left -= 1;
        }
        t += 1;
    }
}

fn check_preempt(sched: &mut dyn Scheduler, running: &mut Option<usize>) {
    if let Some(p) = *running {
        let pid = Pid::from_index(p);
        if sched.should_preempt(pid) == Decision::Preempt {
            sched.put_back(pid, Requeue::Preempted);
            *running = None;
        }
    }
}

/// Process `p` (on the CPU, its compute op used up) runs its zero-time ops
/// up to the next compute tick. Returns whether it still holds the CPU
/// with compute to do.
fn settle(
    p: usize,
    state: &mut [Proc],
    procs: &[ProcSpec],
    sched: &mut dyn Scheduler,
    t: u64,
    wakes: &mut Vec<(u64, usize)>,
    finished: &mut usize,
) -> bool {
    let pid = Pid::from_index(p);
    loop {
        let op = procs[p].program.get(state[p].pc).copied().unwrap_or(Op::Exit);
        state[p].pc += 1;
        match op {
            Op::Compute(0) => {}
            Op::Compute(n) => {
                state[p].left = n;
                return true;
            }
            Op::Io(n) => {
                sched.block(pid);
                wakes.push((t + n, p));
                return false;
            }
            Op::Exit => {
                sched.exit(pid);
                *finished += 1;
                return false;
            }
        }
    }
}

//! Model checks of a run queue behind the spin lock while an interrupt
//! handler (a loom thread) wakes a blocked process and the CPU picks and
//! preempts. No interleaving may lose or duplicate a process.
#![cfg(loom)]

use ldex_core::Pid;
use ldex_core::sched::{Decision, Hint, Mlfq, MlfqConfig, Requeue, RoundRobin, Scheduler};
use ldex_core::sync::{NoInterrupts, SpinLock};
use loom::sync::Arc;
use loom::thread;

fn pid(n: u32) -> Pid {
    Pid::new(n).unwrap()
}

/// P1 and P3 runnable, P2 blocked; the CPU picks and preempts twice while
/// the handler wakes P2; afterwards each of the three is runnable once.
fn wake_during_pick_and_preempt<S: Scheduler + Send + 'static>(make: fn() -> S) {
    loom::model(move || {
        let mut s = make();
        // P2 runs and blocks, as the protocol would run it; then P1 and P3
        // arrive.
        s.admit(pid(2), Hint::NONE).unwrap();
        assert_eq!(s.pick_next(), Some(pid(2)));
        s.block(pid(2));
        for n in [1, 3] {
            s.admit(pid(n), Hint::NONE).unwrap();
        }
        let q = Arc::new(SpinLock::<S, NoInterrupts>::new(s));
        let irq = {
            let q = q.clone();
            thread::spawn(move || q.lock().wake(pid(2)))
        };
        for _ in 0..2 {
            let mut g = q.lock();
            if let Some(p) = g.pick_next() {
                // A quantum of 1: the tick ends it.
                assert_eq!(g.tick(Some(p)), Decision::Preempt);
                g.put_back(p, Requeue::Preempted);
            }
        }
        irq.join().unwrap();
        let mut g = q.lock();
        let mut seen = Vec::new();
        while let Some(p) = g.pick_next() {
            assert!(!seen.contains(&p), "{p:?} was queued twice");
            seen.push(p);
            g.exit(p);
        }
        seen.sort();
        assert_eq!(seen, vec![pid(1), pid(2), pid(3)], "a process was lost");
    });
}

#[test]
fn round_robin_loses_and_duplicates_nothing_under_concurrent_wakeups() {
    wake_during_pick_and_preempt(|| RoundRobin::<[_; 4]>::new(1));
}

#[test]
fn mlfq_loses_and_duplicates_nothing_under_concurrent_wakeups() {
    wake_during_pick_and_preempt(|| {
        Mlfq::<[ldex_core::sched::mlfq::Slot; 4]>::new(MlfqConfig::uniform(3, 1))
    });
}

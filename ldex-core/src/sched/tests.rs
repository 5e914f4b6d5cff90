//! The generic suite: one macro, run over every policy, checks what every
//! [`Scheduler`] owes the protocol: admission order, fairness (or, for the
//! shortest-first policies, their ordering promise), that no process is ever
//! lost or handed out twice, and refusal at capacity.

use super::*;

/// Capacity of the policies under test.
const CAP: usize = 8;

fn pid(i: usize) -> Pid {
    Pid::from_index(i)
}

/// A tiny deterministic generator for the operation mix.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// Admit `n` processes with equal hints, then pick and exit each in turn:
/// the order the policy hands them out.
fn admission_order(s: &mut dyn Scheduler, n: usize) -> [Option<Pid>; CAP] {
    for i in 0..n {
        s.admit(
            pid(i),
            Hint {
                length: Some(10),
                tickets: 1,
            },
        )
        .unwrap();
    }
    let mut order = [None; CAP];
    for slot in order.iter_mut().take(n) {
        let p = s.pick_next();
        *slot = p;
        if let Some(p) = p {
            s.exit(p);
        }
    }
    order
}

/// Run `n` CPU-bound processes for `ticks` ticks, yielding every `yield_every`
/// ticks, and return the ticks each got.
fn shares(s: &mut dyn Scheduler, n: usize, ticks: usize, yield_every: usize) -> [usize; CAP] {
    for i in 0..n {
        s.admit(
            pid(i),
            Hint {
                length: Some(1_000_000),
                tickets: 1,
            },
        )
        .unwrap();
    }
    let mut got = [0; CAP];
    let mut running = s.pick_next();
    let mut since = 0;
    for _ in 0..ticks {
        let p = running.expect("a CPU-bound process is always runnable");
        got[p.index()] += 1;
        since += 1;
        let d = s.tick(Some(p));
        if d == Decision::Preempt || since == yield_every {
            let why = if d == Decision::Preempt {
                Requeue::Preempted
            } else {
                Requeue::Yielded
            };
            s.put_back(p, why);
            running = s.pick_next();
            since = 0;
        }
    }
    got
}

/// Drive the policy with a random mix of every call the protocol makes,
/// mirroring each process's state, and check the policy never hands out a
/// process that is not runnable and never loses one. With `may_idle` the
/// policy may keep the CPU idle while processes are runnable.
fn random_protocol(s: &mut dyn Scheduler, seed: u64, may_idle: bool) {
    #[derive(Clone, Copy, PartialEq, Debug)]
    enum M {
        Absent,
        Runnable,
        Blocked,
    }
    let mut model = [M::Absent; CAP];
    let mut running: Option<Pid> = None;
    let mut rng = Lcg(seed);
    for step in 0..20_000 {
        let i = rng.below(CAP as u64) as usize;
        match rng.below(8) {
            0 if model[i] == M::Absent && running != Some(pid(i)) => {
                let hint = Hint {
                    length: Some(rng.below(50)),
                    tickets: 1 + rng.below(5) as u32,
                };
                s.admit(pid(i), hint).unwrap();
                model[i] = M::Runnable;
            }
            1 | 2 if running.is_none() => {
                running = s.pick_next();
                match running {
                    Some(p) => {
                        assert_eq!(model[p.index()], M::Runnable, "step {step}: picked {p:?}");
                        model[p.index()] = M::Absent;
                    }
                    None => assert!(
                        may_idle || model.iter().all(|m| *m != M::Runnable),
                        "step {step}: idle with a runnable process"
                    ),
                }
            }
            3 if s.tick(running) == Decision::Preempt => {
                let p = running.take().unwrap();
                s.put_back(p, Requeue::Preempted);
                model[p.index()] = M::Runnable;
            }
            4 if running.is_some() => {
                let p = running.take().unwrap();
                s.put_back(p, Requeue::Yielded);
                model[p.index()] = M::Runnable;
            }
            5 if running.is_some() => {
                let p = running.take().unwrap();
                s.block(p);
                model[p.index()] = M::Blocked;
            }
            6 if model[i] == M::Blocked => {
                s.wake(pid(i));
                model[i] = M::Runnable;
                if let Some(r) = running
                    && s.should_preempt(r) == Decision::Preempt
                {
                    s.put_back(r, Requeue::Preempted);
                    model[r.index()] = M::Runnable;
                    running = None;
                }
            }
            7 => {
                if running == Some(pid(i)) {
                    running = None;
                }
                s.exit(pid(i));
                model[i] = M::Absent;
            }
            _ => {}
        }
        let want = model.iter().filter(|m| **m == M::Runnable).count();
        assert_eq!(s.runnable(), want, "step {step}: runnable count");
    }
    if let Some(p) = running {
        s.exit(p);
    }
    let mut seen = [false; CAP];
    for (i, m) in model.iter().enumerate() {
        if *m == M::Blocked {
            s.exit(pid(i));
        }
    }
    while let Some(p) = s.pick_next() {
        assert_eq!(
            model[p.index()],
            M::Runnable,
            "drain: {p:?} was not runnable"
        );
        assert!(!seen[p.index()], "drain: {p:?} handed out twice");
        seen[p.index()] = true;
        s.exit(p);
    }
    for (i, (seen, m)) in seen.iter().zip(model).enumerate() {
        assert_eq!(*seen, m == M::Runnable, "drain: pid index {i} lost");
    }
}

macro_rules! policy_suite {
    ($name:ident, $make:expr, ordered: $ordered:expr, fair: $fair:expr) => {
        policy_suite!($name, $make, ordered: $ordered, fair: $fair, may_idle: false);
    };
    ($name:ident, $make:expr, ordered: $ordered:expr, fair: $fair:expr, may_idle: $idle:expr) => {
        mod $name {
            use super::*;

            fn make() -> impl Scheduler {
                $make
            }

            #[test]
            fn hands_out_processes_in_admission_order() {
                let order = admission_order(&mut make(), CAP);
                let mut seen = [false; CAP];
                for (k, p) in order.iter().enumerate() {
                    let p = p.expect("every admitted process is picked");
                    assert!(!seen[p.index()], "{p:?} picked twice");
                    seen[p.index()] = true;
                    if $ordered {
                        assert_eq!(p, pid(k), "admission order");
                    }
                }
            }

            #[test]
            fn cpu_shares_stay_within_fairness_bounds() {
                let got = shares(&mut make(), 4, 4000, 7);
                if $fair {
                    for (i, g) in got.iter().take(4).enumerate() {
                        assert!((800..=1200).contains(g), "pid index {i} got {g} of 4000 ticks");
                    }
                } else {
                    // Shortest first with equal lengths: the first admitted
                    // keeps the CPU, it never loses to an equal job.
                    assert_eq!(got[0], 4000, "{got:?}");
                }
            }

            #[test]
            fn never_loses_or_duplicates_a_process() {
                for seed in 1..=5 {
                    random_protocol(&mut make(), seed, $idle);
                }
            }

            #[test]
            fn refuses_a_pid_beyond_capacity_and_keeps_the_rest() {
                let mut s = make();
                for i in 0..CAP {
                    assert_eq!(s.admit(pid(i), Hint::NONE), Ok(()));
                }
                assert_eq!(s.admit(pid(CAP), Hint::NONE), Err(Full));
                assert_eq!(s.admit(pid(CAP + 100), Hint::NONE), Err(Full));
                assert_eq!(s.runnable(), CAP);
                assert_eq!(s.admit(pid(3), Hint::NONE), Ok(()), "re-admission is a no-op");
                assert_eq!(s.runnable(), CAP);
            }

            #[test]
            fn calls_about_unknown_pids_change_nothing() {
                let mut s = make();
                s.admit(pid(0), Hint::NONE).unwrap();
                for p in [pid(1), pid(CAP + 5)] {
                    s.wake(p);
                    s.block(p);
                    s.exit(p);
                    s.put_back(p, Requeue::Yielded);
                    let _ = s.tick(Some(p));
                }
                assert_eq!(s.runnable(), 1);
                assert_eq!(s.pick_next(), Some(pid(0)));
                assert_eq!(s.pick_next(), None);
            }
        }
    };
}

policy_suite!(fifo, Fifo::<[_; CAP]>::new(), ordered: true, fair: true);
policy_suite!(rr, RoundRobin::<[_; CAP]>::new(3), ordered: true, fair: true);
policy_suite!(sjf, Sjf::<[_; CAP], [_; CAP]>::new(), ordered: true, fair: false);
policy_suite!(stcf, Sjf::<[_; CAP], [_; CAP]>::stcf(), ordered: true, fair: false);
policy_suite!(
    mlfq,
    Mlfq::<[_; CAP]>::new(MlfqConfig { boost_period: 50, ..MlfqConfig::uniform(3, 5) }),
    ordered: true,
    fair: true
);
policy_suite!(lottery, Lottery::<[_; CAP], [_; CAP], _>::new(1, XorShift64::new(7)), ordered: false, fair: true);
policy_suite!(stride, Stride::<[_; CAP], [_; CAP]>::new(1), ordered: true, fair: true);
policy_suite!(cooperative, Cooperative::<[_; CAP]>::new(CoopConfig::DEFAULT), ordered: true, fair: true);
policy_suite!(
    cooperative_switch_on_end,
    Cooperative::<[_; CAP]>::new(CoopConfig { switch_on_io: false, wake_preempts: true }),
    ordered: true,
    fair: true,
    may_idle: true
);

#[cfg(feature = "alloc")]
policy_suite!(fifo_boxed, Fifo::with_capacity(CAP), ordered: true, fair: true);
#[cfg(feature = "alloc")]
policy_suite!(
    mlfq_boxed,
    Mlfq::with_capacity(CAP, MlfqConfig::uniform(4, 2)),
    ordered: true,
    fair: true
);
#[cfg(feature = "alloc")]
policy_suite!(cooperative_boxed, Cooperative::with_capacity(CAP, CoopConfig::DEFAULT), ordered: true, fair: true);

#[test]
fn every_policy_can_be_built_in_a_static() {
    static FIFO: Fifo<[super::fifo::Slot; 4]> = Fifo::new();
    static RR: RoundRobin<[super::fifo::Slot; 4]> = RoundRobin::new(2);
    static SJF: Sjf<[super::sjf::Slot; 4], [HeapCell; 4]> = Sjf::stcf();
    static MLFQ: Mlfq<[super::mlfq::Slot; 4]> = Mlfq::new(MlfqConfig::uniform(3, 2));
    static LOTTERY: Lottery<[super::lottery::Slot; 4], [u64; 4], XorShift64> =
        Lottery::new(1, XorShift64::new(1));
    static STRIDE: Stride<[super::stride::Slot; 4], [HeapCell; 4]> = Stride::new(1);
    static COOP: Cooperative<[super::cooperative::Slot; 4]> = Cooperative::new(CoopConfig::DEFAULT);
    let names = [
        FIFO.name(),
        RR.name(),
        SJF.name(),
        MLFQ.name(),
        LOTTERY.name(),
        STRIDE.name(),
        COOP.name(),
    ];
    assert_eq!(
        names,
        [
            "fifo",
            "rr",
            "stcf",
            "mlfq",
            "lottery",
            "stride",
            "cooperative"
        ]
    );
}

/// On SMP each running process counts its own quantum: two picked at once
/// (two CPUs) are each preempted after their own quantum of ticks, and a
/// put-back before the quantum ends keeps its place at the head.
#[test]
fn round_robin_runs_several_processes_at_once_each_with_its_own_quantum() {
    let mut rr = RoundRobin::<[_; CAP]>::new(2);
    assert!(rr.supports_smp());
    for i in 0..3 {
        rr.admit(pid(i), Hint::NONE).unwrap();
    }
    let (a, b) = (rr.pick_next().unwrap(), rr.pick_next().unwrap());
    assert_eq!((a, b), (pid(0), pid(1)));
    assert_eq!(rr.tick(Some(a)), Decision::Continue);
    assert_eq!(rr.tick(Some(b)), Decision::Continue);
    assert_eq!(rr.tick(Some(a)), Decision::Preempt);
    rr.put_back(a, Requeue::Preempted);
    // b was preempted early (one tick of two): back at the head.
    rr.put_back(b, Requeue::Preempted);
    assert_eq!(rr.pick_next(), Some(b));
    assert_eq!(rr.pick_next(), Some(pid(2)));
    assert_eq!(rr.pick_next(), Some(a));
}

/// The policies that keep one running process refuse SMP.
#[test]
fn only_fifo_and_round_robin_run_on_several_cpus() {
    assert!(Fifo::<[_; CAP]>::new().supports_smp());
    assert!(!Mlfq::<[_; CAP]>::new(MlfqConfig::uniform(3, 1)).supports_smp());
    assert!(!Stride::<[_; CAP], [_; CAP]>::new(1).supports_smp());
    assert!(!Sjf::<[_; CAP], [_; CAP]>::stcf().supports_smp());
}

//! Scheduling-policy operations at 1k, 100k and 1M runnable processes, for
//! every ldex policy and, side by side, axsched 0.3.1's FIFO, RR and CFS.
//!
//! Benchmarks are ordered by size, then operation, with every policy back
//! to back, so that ours and axsched's meet the same machine load.
//!
//! Operations (each on a policy that already holds `n` runnable processes):
//! * `admit`: admit one more process (batched; the batch is removed
//!   again outside the timed region).
//! * `pick+put_back`: pick the next process and put it back after a
//!   preemption (axsched: `pick_next_task` + `put_prev_task(p, true)`).
//! * `tick`: one timer tick charged to the running process.
//! * `cycle`: pick, one tick, put back after a preemption: a whole
//!   timer-driven context switch as the protocol drives it.
//!
//! Regenerate (see docs/performance.md):
//! `cargo bench -p ldex-bench --bench policies -- --warm-up-time 1 --measurement-time 2`

#![allow(missing_docs)] // criterion_group! generates an undocumented pub fn.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axsched::{BaseScheduler, CFSTask, CFScheduler, FifoScheduler, FifoTask, RRScheduler, RRTask};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion, criterion_group, criterion_main};
use ldex_core::Pid;
use ldex_core::sched::{
    CoopConfig, Cooperative, Decision, Fifo, Hint, Lottery, Mlfq, MlfqConfig, Requeue, RoundRobin,
    Scheduler, Sjf, Stride, XorShift64,
};

/// The runnable-process counts.
const SIZES: [usize; 3] = [1_000, 100_000, 1_000_000];

/// Extra slots for the `admit` batches.
fn batch(n: usize) -> usize {
    (n / 10).min(1000)
}

/// What a benchmark needs from a scheduler, ours or axsched's.
trait Subject {
    type Item;
    fn admit(&mut self, k: usize);
    fn remove(&mut self, k: usize);
    fn pick(&mut self) -> Option<Self::Item>;
    fn put_back(&mut self, it: Self::Item);
    fn tick(&mut self, it: &Self::Item) -> bool;
}

/// An ldex policy.
struct Ours<S>(S);

fn hint(k: usize) -> Hint {
    Hint {
        length: Some(1000 + (k % 97) as u64),
        tickets: 1 + (k % 10) as u32,
    }
}

impl<S: Scheduler> Subject for Ours<S> {
    type Item = Pid;
    fn admit(&mut self, k: usize) {
        let _ = self.0.admit(Pid::from_index(k), hint(k));
    }
    fn remove(&mut self, k: usize) {
        self.0.exit(Pid::from_index(k));
    }
    fn pick(&mut self) -> Option<Pid> {
        self.0.pick_next()
    }
    fn put_back(&mut self, p: Pid) {
        self.0.put_back(p, Requeue::Preempted);
    }
    fn tick(&mut self, p: &Pid) -> bool {
        self.0.tick(Some(*p)) == Decision::Preempt
    }
}

/// An axsched scheduler with its tasks made up front: `slot[k]` holds task
/// k while it is not in the scheduler, `keep[k]` a handle for removal.
struct Ax<B: BaseScheduler> {
    s: B,
    slot: Vec<Option<B::SchedItem>>,
    keep: Vec<B::SchedItem>,
}

impl<B: BaseScheduler> Ax<B>
where
    B::SchedItem: Clone,
{
    fn new(s: B, cap: usize, make: impl Fn(usize) -> B::SchedItem) -> Self {
        let keep: Vec<_> = (0..cap).map(make).collect();
        let slot = keep.iter().cloned().map(Some).collect();
        Ax { s, slot, keep }
    }
}

impl<B: BaseScheduler> Subject for Ax<B> {
    type Item = B::SchedItem;
    fn admit(&mut self, k: usize) {
        if let Some(t) = self.slot[k].take() {
            self.s.add_task(t);
        }
    }
    fn remove(&mut self, k: usize) {
        self.slot[k] = self.s.remove_task(&self.keep[k]);
    }
    fn pick(&mut self) -> Option<B::SchedItem> {
        self.s.pick_next_task()
    }
    fn put_back(&mut self, it: B::SchedItem) {
        self.s.put_prev_task(it, true);
    }
    fn tick(&mut self, it: &B::SchedItem) -> bool {
        self.s.task_tick(it)
    }
}

/// A subject with capacity for `n` runnable processes plus an admit batch.
type Make<'a, T> = &'a dyn Fn(usize) -> T;

fn filled<T: Subject>(make: Make<T>, n: usize) -> T {
    let mut s = make(n + batch(n));
    for k in 0..n {
        s.admit(k);
    }
    s
}

/// The operations measured.
#[derive(Clone, Copy)]
enum Op {
    Admit,
    PickPutBack,
    Tick,
    Cycle,
}

impl Op {
    const ALL: [Op; 4] = [Op::Admit, Op::PickPutBack, Op::Tick, Op::Cycle];

    fn name(self) -> &'static str {
        match self {
            Op::Admit => "admit",
            Op::PickPutBack => "pick+put_back",
            Op::Tick => "tick",
            Op::Cycle => "cycle",
        }
    }
}

/// Measure `op` on a fresh `policy` holding `n` runnable processes.
fn bench_op<T: Subject>(
    g: &mut BenchmarkGroup<WallTime>,
    policy: &str,
    make: Make<T>,
    op: Op,
    n: usize,
) {
    let mut s = filled(make, n);
    let id = BenchmarkId::new(policy, n);
    match op {
        Op::Admit => g.bench_function(id, |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                let mut left = iters as usize;
                while left > 0 {
                    let k = left.min(batch(n));
                    let t0 = Instant::now();
                    for j in n..n + k {
                        s.admit(black_box(j));
                    }
                    total += t0.elapsed();
                    for j in n..n + k {
                        s.remove(j);
                    }
                    left -= k;
                }
                total
            })
        }),
        Op::PickPutBack => g.bench_function(id, |b| {
            b.iter(|| {
                if let Some(p) = s.pick() {
                    s.put_back(black_box(p));
                }
            })
        }),
        Op::Tick => {
            let Some(p) = s.pick() else { return };
            g.bench_function(id, |b| b.iter(|| s.tick(black_box(&p))))
        }
        Op::Cycle => g.bench_function(id, |b| {
            b.iter(|| {
                if let Some(p) = s.pick() {
                    black_box(s.tick(&p));
                    s.put_back(p);
                }
            })
        }),
    };
}

/// Every policy, ours and axsched's, back to back on the same operation and
/// size, so that they run under the same machine load.
fn all_policies(g: &mut BenchmarkGroup<WallTime>, op: Op, n: usize) {
    bench_op(g, "ldex/fifo", &|cap| Ours(Fifo::with_capacity(cap)), op, n);
    bench_op(
        g,
        "axsched/fifo",
        &|cap| Ax::new(FifoScheduler::new(), cap, |k| Arc::new(FifoTask::new(k))),
        op,
        n,
    );
    bench_op(
        g,
        "ldex/rr",
        &|cap| Ours(RoundRobin::with_capacity(cap, 5)),
        op,
        n,
    );
    bench_op(
        g,
        "axsched/rr",
        &|cap| {
            Ax::new(RRScheduler::<usize, 5>::new(), cap, |k| {
                Arc::new(RRTask::new(k))
            })
        },
        op,
        n,
    );
    bench_op(
        g,
        "ldex/stride",
        &|cap| Ours(Stride::with_capacity(cap, 1)),
        op,
        n,
    );
    bench_op(
        g,
        "axsched/cfs",
        &|cap| Ax::new(CFScheduler::new(), cap, |k| Arc::new(CFSTask::new(k))),
        op,
        n,
    );
    bench_op(
        g,
        "ldex/sjf",
        &|cap| Ours(Sjf::with_capacity(cap, false)),
        op,
        n,
    );
    bench_op(
        g,
        "ldex/stcf",
        &|cap| Ours(Sjf::with_capacity(cap, true)),
        op,
        n,
    );
    bench_op(
        g,
        "ldex/mlfq",
        &|cap| {
            Ours(Mlfq::with_capacity(
                cap,
                MlfqConfig {
                    boost_period: 1000,
                    ..MlfqConfig::uniform(8, 1)
                },
            ))
        },
        op,
        n,
    );
    bench_op(
        g,
        "ldex/lottery",
        &|cap| Ours(Lottery::with_capacity(cap, 1, XorShift64::new(1))),
        op,
        n,
    );
    bench_op(
        g,
        "ldex/cooperative",
        &|cap| Ours(Cooperative::with_capacity(cap, CoopConfig::DEFAULT)),
        op,
        n,
    );
}

fn policies(c: &mut Criterion) {
    for n in SIZES {
        for op in Op::ALL {
            let mut g = c.benchmark_group(op.name());
            all_policies(&mut g, op, n);
            g.finish();
        }
    }
}

criterion_group!(benches, policies);
criterion_main!(benches);

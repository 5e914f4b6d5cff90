//! A student's sweep: `scheduler.py` cases of 200 jobs replay exactly. The
//! expected results are built here from the homework's rules (see
//! `/work/shared/ostep-ref/README.md`), not taken from a run of ldex.

use ldex_sim::ostep;
use serde_json::{Value, json};

/// 200 jobs of lengths 1 to 13, in a fixed, uneven pattern.
fn lengths() -> Vec<u64> {
    (0..200u64).map(|k| 1 + (k * 7 + k / 3) % 13).collect()
}

/// One dispatch: start, job, ran, done.
type Dispatch = (u64, usize, u64, bool);

/// The expected results of `policy` on `lengths` from the order the jobs
/// were dispatched in, by the reference's rules: response is the first
/// dispatch, turnaround the completion, wait = turnaround - length.
fn expected(lengths: &[u64], trace: &[Dispatch], print_order: &[usize]) -> Value {
    let n = lengths.len();
    let mut response = vec![None; n];
    let mut turnaround = vec![0; n];
    for &(start, job, ran, done) in trace {
        response[job].get_or_insert(start);
        if done {
            turnaround[job] = start + ran;
        }
    }
    let response: Vec<u64> = response.into_iter().map(Option::unwrap).collect();
    let wait: Vec<u64> = (0..n).map(|j| turnaround[j] - lengths[j]).collect();
    let sum = |v: &[u64]| v.iter().sum::<u64>();
    let (sr, st, sw) = (sum(&response), sum(&turnaround), sum(&wait));
    let avg = |s: u64| s as f64 / n as f64;
    let two = |x: f64| format!("{x:.2}");
    json!({
        "jobs": (0..n).map(|j| json!({
            "id": j, "response": response[j], "turnaround": turnaround[j], "wait": wait[j],
        })).collect::<Vec<_>>(),
        "sums": {"response": sr, "turnaround": st, "wait": sw},
        "average": {"response": avg(sr), "turnaround": avg(st), "wait": avg(sw)},
        "completion_time": trace.last().map(|&(s, _, r, _)| s + r).unwrap(),
        "trace": trace.iter().map(|&(start, job, ran, done)| json!({
            "start": start, "job": job, "ran": ran, "done": done,
        })).collect::<Vec<_>>(),
        "printed": {
            "job_lines_in_print_order": print_order.iter().map(|&j| json!({
                "id": j,
                "response": two(response[j] as f64),
                "turnaround": two(turnaround[j] as f64),
                "wait": two(wait[j] as f64),
            })).collect::<Vec<_>>(),
            "average": {"response": two(avg(sr)), "turnaround": two(avg(st)), "wait": two(avg(sw))},
        },
    })
}

/// RR: take the head; more than a quantum left runs a quantum and goes to
/// the tail, else it runs what is left and finishes. Printed in id order.
fn round_robin(lengths: &[u64], q: u64) -> Value {
    let mut queue: std::collections::VecDeque<(usize, u64)> =
        lengths.iter().copied().enumerate().collect();
    let (mut now, mut trace) = (0, Vec::new());
    while let Some((job, left)) = queue.pop_front() {
        let ran = left.min(q);
        trace.push((now, job, ran, left <= q));
        now += ran;
        if left > q {
            queue.push_back((job, left - q));
        }
    }
    let ids: Vec<usize> = (0..lengths.len()).collect();
    expected(lengths, &trace, &ids)
}

/// SJF: a stable sort by length, each job run to completion. Printed in
/// execution order.
fn shortest_first(lengths: &[u64]) -> Value {
    let mut order: Vec<usize> = (0..lengths.len()).collect();
    order.sort_by_key(|&j| lengths[j]);
    let mut now = 0;
    let trace: Vec<Dispatch> = order
        .iter()
        .map(|&j| {
            let d = (now, j, lengths[j], true);
            now += lengths[j];
            d
        })
        .collect();
    expected(lengths, &trace, &order)
}

fn case(id: &str, policy: &str, quantum: Option<u64>, expected: Value) -> Value {
    json!({
        "id": id,
        "simulator": "scheduler.py",
        "input": {
            "policy": policy,
            "quantum": quantum,
            "jobs": lengths().iter().enumerate().map(|(id, len)| json!({
                "id": id, "arrival": 0, "length": len,
            })).collect::<Vec<_>>(),
        },
        "expected": expected,
    })
}

#[test]
fn a_200_job_sweep_replays_exactly_under_rr_and_sjf() {
    let file = json!({
        "schema": "ldex-ostep-ref/1",
        "cases": [
            case("rr-200", "RR", Some(3), round_robin(&lengths(), 3)),
            case("sjf-200", "SJF", None, shortest_first(&lengths())),
        ],
    });
    let cases = ostep::parse(&file.to_string()).expect("the sweep parses");
    for case in &cases {
        let out = ostep::run(case).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            ostep::first_difference(&case.expected, &out.actual),
            None,
            "{}",
            case.id
        );
    }
}

//! `scheduler.py`: FIFO, SJF and RR over jobs that all arrive at 0.

use std::fmt::Write;

use ldex_core::sched::{Fifo, Hint, RoundRobin, Scheduler, Sjf};
use serde_json::{Value, json};

use super::json::{InputError, Node};
use super::record::{Log, Recorder, SharedLog, What};
use super::{Outcome, Run, avg, items_in_id_order};
use crate::scenario::{Op, ProcSpec};

/// The policies `scheduler.py` knows.
pub const POLICIES: [&str; 3] = ["FIFO", "SJF", "RR"];

/// A `scheduler.py` case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    policy: &'static str,
    quantum: Option<u64>,
    /// (arrival, length) per job, in id order.
    jobs: Vec<(u64, u64)>,
    /// The `ARG` lines `scheduler.py` printed before the job list.
    args: Vec<String>,
    /// Whether the lengths came from `-l` (printed as floats) or a seed.
    explicit: bool,
}

/// Read a case's `input`.
pub fn parse(input: &Node, command: Option<&str>) -> Result<Input, InputError> {
    let policy_node = input.get("policy")?;
    let name = policy_node.str()?;
    let policy = POLICIES
        .iter()
        .copied()
        .find(|p| *p == name)
        .ok_or_else(|| {
            policy_node.error(format!(
                "unknown policy {name:?}; valid policies: {}",
                POLICIES.join(", ")
            ))
        })?;
    let q = input.get("quantum")?;
    let quantum = q.opt_u64()?;
    if policy == "RR" && quantum.unwrap_or(0) == 0 {
        return Err(q.error("RR needs a quantum of at least 1"));
    }
    let jobs = items_in_id_order(&input.get("jobs")?, "id")?
        .iter()
        .map(|j| Ok((j.get("arrival")?.u64()?, j.get("length")?.u64()?)))
        .collect::<Result<Vec<_>, InputError>>()?;
    let arg = |flag: &str| command.and_then(|c| arg_after(c, flag));
    let jlist = arg("-l").map(str::to_string).unwrap_or_else(|| {
        jobs.iter()
            .map(|j| j.1.to_string())
            .collect::<Vec<_>>()
            .join(",")
    });
    let explicit = command.is_none() || arg("-l").is_some();
    let mut args = vec![format!("ARG policy {policy}")];
    if explicit {
        args.push(format!("ARG jlist {jlist}"));
    } else {
        args.push(format!("ARG jobs {}", arg("-j").unwrap_or("3")));
        args.push(format!("ARG maxlen {}", arg("-m").unwrap_or("10")));
        args.push(format!("ARG seed {}", arg("-s").unwrap_or("0")));
    }
    Ok(Input {
        policy,
        quantum: if policy == "RR" { quantum } else { None },
        jobs,
        args,
        explicit,
    })
}

/// The value after flag `flag` in a command line.
pub(super) fn arg_after<'a>(command: &'a str, flag: &str) -> Option<&'a str> {
    let mut words = command.split_whitespace();
    words.find(|w| *w == flag)?;
    words.next()
}

/// The scenario and the policy for it, recording into `log`.
pub fn setup(input: &Input, log: &SharedLog) -> Run {
    let n = input.jobs.len();
    let sched: Box<dyn Scheduler + Send> = match input.policy {
        "SJF" => Box::new(Sjf::with_capacity(n, false)),
        "RR" => Box::new(RoundRobin::with_capacity(n, input.quantum.unwrap_or(1))),
        _ => Box::new(Fifo::with_capacity(n)),
    };
    let procs = input
        .jobs
        .iter()
        .map(|&(arrival, length)| ProcSpec {
            name: String::new(),
            arrival,
            hint: Hint {
                length: Some(length),
                tickets: 1,
            },
            program: vec![Op::Compute(length), Op::Exit(0)],
        })
        .collect();
    Run {
        procs,
        sched: Box::new(Recorder::new(sched, log.clone(), None)),
    }
}

/// One dispatch: (start, job, ran, done).
type Dispatch = (u64, usize, u64, bool);

/// The dispatches, read off the log: each runs until the next dispatch or
/// until its job stops running.
pub(super) fn dispatches(log: &Log) -> Vec<Dispatch> {
    let picks: Vec<(u64, usize)> = log
        .events
        .iter()
        .filter_map(|&(t, w)| {
            if let What::Dispatch(j) = w {
                Some((t, j))
            } else {
                None
            }
        })
        .collect();
    picks
        .iter()
        .enumerate()
        .map(|(k, &(start, job))| {
            let limit = picks.get(k + 1).map_or(log.ticks.len() as u64, |p| p.0);
            let ran = (start..limit)
                .take_while(|&t| matches!(log.ticks[t as usize], Some((j, _)) if j == job))
                .count() as u64;
            let done = log
                .events
                .iter()
                .any(|&(t, w)| w == What::Finish(job) && t == start + ran);
            (start, job, ran, done)
        })
        .collect()
}

/// Render the results the way the case's `expected` is shaped.
pub fn render(input: &Input, log: &Log, end: u64) -> Outcome {
    let n = input.jobs.len();
    let trace = dispatches(log);
    let mut first = vec![None; n];
    for &(start, job, _, _) in &trace {
        first[job].get_or_insert(start);
    }
    let mut finish = vec![0; n];
    for &(t, w) in &log.events {
        if let What::Finish(j) = w {
            finish[j] = t;
        }
    }
    let rows: Vec<(usize, u64, u64, u64)> = (0..n)
        .map(|j| {
            let (arrival, length) = input.jobs[j];
            let response = first[j].unwrap_or(finish[j]) - arrival;
            let turnaround = finish[j] - arrival;
            (j, response, turnaround, turnaround.saturating_sub(length))
        })
        .collect();
    let sum = |f: fn(&(usize, u64, u64, u64)) -> u64| rows.iter().map(f).sum::<u64>();
    let (rs, ts, ws) = (sum(|r| r.1), sum(|r| r.2), sum(|r| r.3));
    let mut order: Vec<usize> = (0..n).collect();
    if input.policy != "RR" {
        order.sort_by_key(|&j| (first[j], j));
    }
    let lines: Vec<Value> = order
        .iter()
        .map(|&j| {
            let r = rows[j];
            json!({"id": j, "response": f2(r.1 as f64), "turnaround": f2(r.2 as f64), "wait": f2(r.3 as f64)})
        })
        .collect();
    let actual = json!({
        "jobs": rows.iter().map(|r| json!({"id": r.0, "response": r.1, "turnaround": r.2, "wait": r.3})).collect::<Vec<_>>(),
        "sums": {"response": rs, "turnaround": ts, "wait": ws},
        "average": {"response": avg(rs, n), "turnaround": avg(ts, n), "wait": avg(ws, n)},
        "completion_time": end,
        "trace": trace.iter().map(|&(start, job, ran, done)| json!({"start": start, "job": job, "ran": ran, "done": done})).collect::<Vec<_>>(),
        "printed": {
            "job_lines_in_print_order": lines,
            "average": {"response": f2(avg(rs, n)), "turnaround": f2(avg(ts, n)), "wait": f2(avg(ws, n))},
        },
    });
    let text = text(input, &trace, &rows, &order, (rs, ts, ws));
    let svg = super::gantt::render(n, log, end, &[]);
    Outcome { actual, text, svg }
}

fn f2(x: f64) -> String {
    format!("{x:.2}")
}

/// What `scheduler.py -c` prints.
fn text(
    input: &Input,
    trace: &[Dispatch],
    rows: &[(usize, u64, u64, u64)],
    order: &[usize],
    (rs, ts, ws): (u64, u64, u64),
) -> String {
    let n = rows.len();
    let mut out = String::new();
    for line in &input.args {
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(
        out,
        "\nHere is the job list, with the run time of each job: "
    );
    let float = if input.explicit { ".0" } else { "" };
    for (j, (_, len)) in input.jobs.iter().enumerate() {
        let _ = writeln!(out, "  Job {j} ( length = {len}{float} )");
    }
    let _ = writeln!(out, "\n\n** Solutions **\n");
    let _ = writeln!(out, "Execution trace:");
    for &(start, job, ran, done) in trace {
        let ranf = ran as f64;
        if input.policy == "RR" {
            let _ = write!(
                out,
                "  [ time {start:3} ] Run job {job:3} for {ranf:.2} secs"
            );
        } else {
            let _ = write!(out, "  [ time {start:3} ] Run job {job} for {ranf:.2} secs");
        }
        if done || input.policy != "RR" {
            let _ = write!(out, " ( DONE at {:.2} )", (start + ran) as f64);
        }
        out.push('\n');
    }
    let _ = writeln!(out, "\nFinal statistics:");
    for &j in order {
        let r = rows[j];
        let _ = writeln!(
            out,
            "  Job {j:3} -- Response: {:3.2}  Turnaround {:3.2}  Wait {:3.2}",
            r.1 as f64, r.2 as f64, r.3 as f64
        );
    }
    let _ = writeln!(
        out,
        "\n  Average -- Response: {:3.2}  Turnaround {:3.2}  Wait {:3.2}\n",
        avg(rs, n),
        avg(ts, n),
        avg(ws, n)
    );
    out
}

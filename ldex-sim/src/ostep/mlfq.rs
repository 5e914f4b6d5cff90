//! `mlfq.py`: the multi-level feedback queue, with arrivals and I/O.

use std::fmt::Write;

use ldex_core::Pid;
use ldex_core::sched::mlfq::{MAX_LEVELS, Slot};
use ldex_core::sched::{Hint, Mlfq, MlfqConfig};
use serde_json::{Value, json};

use super::json::{InputError, Node};
use super::record::{Log, SharedLog, What};
use super::{Outcome, Run, avg, items_in_id_order};
use crate::scenario::{Op, ProcSpec};

/// One job: arrival, length, I/O every this many ticks of CPU (0: never).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Job {
    arrival: u64,
    length: u64,
    io_every: u64,
}

/// An `mlfq.py` case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    config: MlfqConfig,
    io_time: u64,
    jobs: Vec<Job>,
}

/// Read a case's `input`.
pub fn parse(input: &Node) -> Result<Input, InputError> {
    let nq = input.get("num_queues")?;
    let levels = nq.u64()? as usize;
    if !(1..=MAX_LEVELS).contains(&levels) {
        return Err(nq.error(format!("expected 1 to {MAX_LEVELS} queues")));
    }
    let mut config = MlfqConfig::uniform(levels, 1);
    for (field, dest, lowest_may_be_zero) in [
        ("quantum_top_first", &mut config.quantum, false),
        ("allotment_top_first", &mut config.allotment, true),
    ] {
        let node = input.get(field)?;
        let items = node.items()?;
        if items.len() != levels {
            return Err(node.error(format!("expected {levels} entries, one per queue")));
        }
        for (level, item) in items.iter().enumerate() {
            let v = item.u64()?;
            let zero_ok = lowest_may_be_zero && level == levels - 1;
            if (v == 0 && !zero_ok) || v > u64::from(u32::MAX) {
                return Err(item.error("expected at least 1"));
            }
            dest[level] = v as u32;
        }
    }
    config.boost_period = input.get("boost_period")?.u64()?;
    config.stay_on_io = input.get("stay_on_io")?.bool()?;
    config.io_bump = input.get("io_bump")?.bool()?;
    let io_time = input.get("io_time")?.u64()?;
    let jobs = items_in_id_order(&input.get("jobs")?, "id")?
        .iter()
        .map(|j| {
            let length = j.get("length")?;
            let job = Job {
                arrival: j.get("arrival")?.u64()?,
                length: length.u64()?,
                io_every: j.get("io_every")?.u64()?,
            };
            if job.length == 0 {
                return Err(length.error("a job needs at least 1 tick of CPU"));
            }
            Ok(job)
        })
        .collect::<Result<Vec<_>, InputError>>()?;
    Ok(Input {
        config,
        io_time,
        jobs,
    })
}

/// A job's program: compute in bursts of `io_every`, an I/O after each
/// burst unless the job is done.
fn program(job: &Job, io_time: u64) -> Vec<Op> {
    let mut ops = Vec::new();
    let mut left = job.length;
    while left > 0 {
        let burst = if job.io_every == 0 {
            left
        } else {
            job.io_every.min(left)
        };
        ops.push(Op::Compute(burst));
        left -= burst;
        if left > 0 {
            ops.push(Op::Io(io_time));
        }
    }
    ops.push(Op::Exit(0));
    ops
}

fn probe(s: &Mlfq<Box<[Slot]>>, pid: Pid) -> Option<(u32, u32)> {
    s.budget(pid)
}

/// The scenario and the policy for it.
pub fn setup(input: &Input, log: &SharedLog) -> Run {
    let sched = Mlfq::with_capacity(input.jobs.len(), input.config);
    let recorder = super::record::Recorder::new(sched, log.clone(), Some(probe));
    let procs = input
        .jobs
        .iter()
        .map(|j| ProcSpec {
            name: String::new(),
            arrival: j.arrival,
            hint: Hint::NONE,
            program: program(j, input.io_time),
        })
        .collect();
    Run {
        procs,
        sched: Box::new(recorder),
    }
}

/// An event as `mlfq.py` lists it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ev {
    Start(usize),
    Finish(usize),
    Boost,
    Arrive(usize),
    Done(usize),
}

impl Ev {
    /// The order of events stamped with the same time in `mlfq.py`: what
    /// ended the previous tick, the boost, arrivals, I/O completions.
    fn rank(self) -> u8 {
        match self {
            Ev::Start(_) | Ev::Finish(_) => 0,
            Ev::Boost => 1,
            Ev::Arrive(_) => 2,
            Ev::Done(_) => 3,
        }
    }
}

fn events(input: &Input, log: &Log, end: u64) -> Vec<(u64, Ev)> {
    let mut evs: Vec<(u64, Ev)> = log
        .events
        .iter()
        .filter_map(|&(t, w)| {
            let e = match w {
                What::Arrive(j) => Ev::Arrive(j),
                What::IoStart(j) => Ev::Start(j),
                What::IoDone(j) => Ev::Done(j),
                What::Finish(j) => Ev::Finish(j),
                What::Dispatch(_) => return None,
            };
            Some((t, e))
        })
        .collect();
    let b = input.config.boost_period;
    if b > 0 {
        evs.extend(
            (1..)
                .map(|k| k * b)
                .take_while(|&t| t < end)
                .map(|t| (t, Ev::Boost)),
        );
    }
    evs.sort_by_key(|&(t, e)| (t, e.rank()));
    evs
}

/// Render the results the way the case's `expected` is shaped.
pub fn render(input: &Input, log: &Log, end: u64) -> Outcome {
    let n = input.jobs.len();
    let mut first = vec![None; n];
    for (t, slot) in log.ticks.iter().enumerate() {
        if let Some((j, _)) = slot {
            first[*j].get_or_insert(t as u64);
        }
    }
    let mut finish = vec![0; n];
    for &(t, w) in &log.events {
        if let What::Finish(j) = w {
            finish[j] = t;
        }
    }
    let rows: Vec<(u64, u64, u64, u64, u64)> = input
        .jobs
        .iter()
        .enumerate()
        .map(|(j, job)| {
            let f = first[j].unwrap_or(finish[j]);
            (
                job.arrival,
                f,
                finish[j],
                f - job.arrival,
                finish[j] - job.arrival,
            )
        })
        .collect();
    let rs: u64 = rows.iter().map(|r| r.3).sum();
    let ts: u64 = rows.iter().map(|r| r.4).sum();
    let mut schedule: Vec<Value> = Vec::new();
    let mut k = 0;
    while k < log.ticks.len() {
        let cur = log.ticks[k];
        let len = log.ticks[k..].iter().take_while(|x| **x == cur).count();
        let (job, prio) = match cur {
            Some((j, p)) => (json!(j), json!(p)),
            None => (Value::Null, Value::Null),
        };
        schedule.push(json!({"start": k, "len": len, "job": job, "priority": prio}));
        k += len;
    }
    let evs = events(input, log, end);
    let ev_json: Vec<Value> = evs
        .iter()
        .map(|&(t, e)| match e {
            Ev::Boost => json!([t, "BOOST"]),
            Ev::Arrive(j) => json!([t, "ARRIVE", j]),
            Ev::Done(j) => json!([t, "IO_DONE", j]),
            Ev::Start(j) => json!([t, "IO_START", j]),
            Ev::Finish(j) => json!([t, "FINISH", j]),
        })
        .collect();
    let job_lines: Vec<String> = rows
        .iter()
        .enumerate()
        .map(|(j, r)| {
            format!(
                "  Job {j:2}: startTime {:3} - response {:3} - turnaround {:3}",
                r.0, r.3, r.4
            )
        })
        .collect();
    let (ar, at) = (avg(rs, n), avg(ts, n));
    let average_line = format!(
        "  Avg {:2}: startTime n/a - response {ar:.2} - turnaround {at:.2}",
        n.saturating_sub(1)
    );
    let actual = json!({
        "jobs": rows.iter().enumerate().map(|(j, r)| json!({
            "id": j, "arrival": r.0, "first_run": r.1, "end": r.2, "response": r.3, "turnaround": r.4,
        })).collect::<Vec<_>>(),
        "sums": {"response": rs, "turnaround": ts},
        "average": {"response": ar, "turnaround": at},
        "final_time": end,
        "schedule": schedule,
        "events": ev_json,
        "printed": {
            "job_lines": job_lines,
            "average_line": average_line,
            "average": {"response": format!("{ar:.2}"), "turnaround": format!("{at:.2}")},
        },
    });
    let text = text(input, log, &evs, &job_lines, &average_line);
    let boosts: Vec<u64> = evs
        .iter()
        .filter(|e| e.1 == Ev::Boost)
        .map(|e| e.0)
        .collect();
    let svg = super::gantt::render(n, log, end, &boosts);
    Outcome { actual, text, svg }
}

/// What `mlfq.py -c` prints.
fn text(
    input: &Input,
    log: &Log,
    evs: &[(u64, Ev)],
    job_lines: &[String],
    average_line: &str,
) -> String {
    let c = &input.config;
    let mut out = String::new();
    let _ = writeln!(out, "Here is the list of inputs:");
    let _ = writeln!(out, "OPTIONS jobs {}", input.jobs.len());
    let _ = writeln!(out, "OPTIONS queues {}", c.levels);
    for prio in (0..c.levels).rev() {
        let level = c.levels - 1 - prio;
        let _ = writeln!(
            out,
            "OPTIONS allotments for queue {prio:2} is {:3}",
            c.allotment[level]
        );
        let _ = writeln!(
            out,
            "OPTIONS quantum length for queue {prio:2} is {:3}",
            c.quantum[level]
        );
    }
    let py = |b: bool| if b { "True" } else { "False" };
    let _ = writeln!(out, "OPTIONS boost {}", c.boost_period);
    let _ = writeln!(out, "OPTIONS ioTime {}", input.io_time);
    let _ = writeln!(out, "OPTIONS stayAfterIO {}", py(c.stay_on_io));
    let _ = writeln!(out, "OPTIONS iobump {}", py(c.io_bump));
    let _ = writeln!(
        out,
        "\n\nFor each job, three defining characteristics are given:"
    );
    let _ = writeln!(
        out,
        "  startTime : at what time does the job enter the system"
    );
    let _ = writeln!(
        out,
        "  runTime   : the total CPU time needed by the job to finish"
    );
    let _ = writeln!(
        out,
        "  ioFreq    : every ioFreq time units, the job issues an I/O"
    );
    let _ = writeln!(
        out,
        "              (the I/O takes ioTime units to complete)\n"
    );
    let _ = writeln!(out, "Job List:");
    for (j, job) in input.jobs.iter().enumerate() {
        let _ = writeln!(
            out,
            "  Job {j:2}: startTime {:3} - runTime {:3} - ioFreq {:3}",
            job.arrival, job.length, job.io_every
        );
    }
    let _ = writeln!(out, "\n\nExecution Trace:\n");
    let mut used = vec![0u64; input.jobs.len()];
    let mut e = 0;
    for (t, slot) in log.ticks.iter().enumerate() {
        let t = t as u64;
        while e < evs.len() && evs[e].0 <= t {
            event_line(&mut out, evs[e], c.boost_period);
            e += 1;
        }
        match slot {
            Some((j, prio)) => {
                used[*j] += 1;
                let (ticks, allot) = log.probes[t as usize].unwrap_or((1, 0));
                let len = input.jobs[*j].length;
                let _ = writeln!(
                    out,
                    "[ time {t} ] Run JOB {j} at PRIORITY {} [ TICKS {} ALLOT {allot} TIME {} (of {len}) ]",
                    prio.unwrap_or(0),
                    ticks.saturating_sub(1),
                    len - used[*j]
                );
            }
            None => {
                let _ = writeln!(out, "[ time {t} ] IDLE");
            }
        }
    }
    for &ev in &evs[e..] {
        event_line(&mut out, ev, c.boost_period);
    }
    let _ = writeln!(out, "\nFinal statistics:");
    for line in job_lines {
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(out, "\n{average_line}\n\n");
    out
}

/// The line `mlfq.py` prints for an event.
fn event_line(out: &mut String, (at, ev): (u64, Ev), boost_period: u64) {
    let _ = match ev {
        Ev::Start(j) => writeln!(out, "[ time {at} ] IO_START by JOB {j}\nIO DONE"),
        Ev::Finish(j) => writeln!(out, "[ time {at} ] FINISHED JOB {j}"),
        Ev::Boost => writeln!(out, "[ time {at} ] BOOST ( every {boost_period} )"),
        Ev::Arrive(j) => writeln!(out, "[ time {at} ] JOB BEGINS by JOB {j}"),
        Ev::Done(j) => writeln!(out, "[ time {at} ] IO_DONE by JOB {j}"),
    };
}

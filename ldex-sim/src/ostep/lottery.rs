//! `lottery.py`: lottery scheduling, replaying the recorded random draws.
//!
//! `lottery.py` charges a full quantum even to a job that needs less, so a
//! job of length L runs `max(1, ceil(L / q))` whole quanta on the machine.

use std::fmt::Write;

use ldex_core::sched::{Hint, Lottery, Replay};
use serde_json::{Value, json};

use super::json::{InputError, Node};
use super::record::{Log, Recorder, SharedLog, What};
use super::sched::{arg_after, dispatches};
use super::{Outcome, Run, items_in_id_order};
use crate::scenario::{Op, ProcSpec};

/// A `lottery.py` case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    quantum: u64,
    /// (length, tickets) per job.
    jobs: Vec<(u64, u64)>,
    draws: Vec<u64>,
    /// The `ARG` values `lottery.py` prints: jlist, jobs, maxlen, maxticket,
    /// seed.
    args: [String; 5],
}

/// Read a case's `input`.
pub fn parse(input: &Node, command: Option<&str>) -> Result<Input, InputError> {
    let q = input.get("quantum")?;
    let quantum = q.u64()?;
    if quantum == 0 {
        return Err(q.error("expected at least 1"));
    }
    let jobs = items_in_id_order(&input.get("jobs")?, "id")?
        .iter()
        .map(|j| {
            let t = j.get("tickets")?;
            let tickets = t.u64()?;
            if tickets == 0 || tickets > u64::from(u32::MAX) {
                return Err(t.error("expected 1 to 4294967295 tickets"));
            }
            Ok((j.get("length")?.u64()?, tickets))
        })
        .collect::<Result<Vec<_>, InputError>>()?;
    let d = input.get("random_draws")?;
    let draws = d.u64s()?;
    if draws.is_empty() && !jobs.is_empty() {
        return Err(d.error("expected at least one draw"));
    }
    let seed = input
        .get("seed")
        .ok()
        .and_then(|s| s.u64().ok())
        .unwrap_or(0)
        .to_string();
    let arg = |flag: &str, default: &str| {
        command
            .and_then(|c| arg_after(c, flag))
            .unwrap_or(default)
            .to_string()
    };
    // `lottery.py` prints its -l text, empty when the jobs came from a seed.
    let given: Vec<String> = jobs.iter().map(|(l, t)| format!("{l}:{t}")).collect();
    let jlist = match command {
        Some(_) => arg("-l", ""),
        None => given.join(","),
    };
    let args = [
        jlist,
        arg("-j", "3"),
        arg("-m", "10"),
        arg("-T", "100"),
        arg("-s", &seed),
    ];
    Ok(Input {
        quantum,
        jobs,
        draws,
        args,
    })
}

/// The scenario and the policy for it, recording into `log`.
pub fn setup(input: &Input, log: &SharedLog) -> Run {
    let q = input.quantum;
    let sched = Lottery::with_capacity(input.jobs.len(), q, Replay::new(input.draws.clone()));
    let procs = input
        .jobs
        .iter()
        .map(|&(length, tickets)| ProcSpec {
            name: String::new(),
            arrival: 0,
            hint: Hint {
                length: Some(length),
                tickets: tickets as u32,
            },
            program: vec![Op::Compute(length.div_ceil(q).max(1) * q), Op::Exit(0)],
        })
        .collect();
    Run {
        procs,
        sched: Box::new(Recorder::new(sched, log.clone(), None)),
    }
}

/// Render the results the way the case's `expected` is shaped.
pub fn render(input: &Input, log: &Log, end: u64) -> Outcome {
    let q = input.quantum;
    let n = input.jobs.len();
    let mut left: Vec<u64> = input.jobs.iter().map(|j| j.0).collect();
    let mut finished = vec![false; n];
    let mut draws: Vec<Value> = Vec::new();
    let mut lines = vec!["** Solutions **".to_string()];
    let mut completions: Vec<Value> = Vec::new();
    for (k, &(start, job, _, _)) in dispatches(log).iter().enumerate() {
        let total: u64 = (0..n)
            .filter(|&j| !finished[j])
            .map(|j| input.jobs[j].1)
            .sum();
        let r = input.draws[k % input.draws.len()];
        let winner = if total == 0 { 0 } else { r % total };
        draws.push(
            json!({"random": r, "winning_ticket": winner, "total_tickets": total, "job": job}),
        );
        lines.push(format!(
            "Random {r} -> Winning ticket {winner} (of {total}) -> Run {job}"
        ));
        lines.push("  Jobs:".to_string());
        let mut row = String::new();
        for (j, (&l, &(_, tickets))) in left.iter().zip(&input.jobs).enumerate() {
            let star = if j == job { '*' } else { ' ' };
            let tix = if l > 0 {
                tickets.to_string()
            } else {
                "---".to_string()
            };
            let _ = write!(row, " ({star} job:{j} timeleft:{l} tix:{tix} ) ");
        }
        lines.push(row);
        left[job] = left[job].saturating_sub(q);
        let done_at = start + q;
        if left[job] == 0 && log.events.contains(&(done_at, What::Finish(job))) {
            finished[job] = true;
            completions.push(json!({"job": job, "time": done_at}));
            lines.push(format!("--> JOB {job} DONE at time {done_at}"));
        }
    }
    let actual = json!({
        "draws": draws,
        "completions": completions,
        "final_time": end,
        "printed": {"solution_lines": lines},
    });
    let mut text = String::new();
    let [jlist, jobs, maxlen, maxticket, seed] = &input.args;
    let _ = writeln!(text, "ARG jlist {jlist}");
    let _ = writeln!(
        text,
        "ARG jobs {jobs}\nARG maxlen {maxlen}\nARG maxticket {maxticket}"
    );
    let _ = writeln!(text, "ARG quantum {q}\nARG seed {seed}\n");
    let _ = writeln!(
        text,
        "Here is the job list, with the run time of each job: "
    );
    for (j, (l, t)) in input.jobs.iter().enumerate() {
        let _ = writeln!(text, "  Job {j} ( length = {l}, tickets = {t} )");
    }
    let _ = writeln!(text, "\n");
    let _ = writeln!(text, "{}\n", lines[0]);
    for l in &lines[1..] {
        let _ = writeln!(text, "{l}");
    }
    let _ = writeln!(text);
    let svg = super::gantt::render(n, log, end, &[]);
    Outcome { actual, text, svg }
}

//! `ldex-sim ostep FILE`: replay OSTEP homework-simulator cases
//! (`scheduler.py`, `mlfq.py`, `process-run.py`, `lottery.py`) in the
//! `ldex-ostep-ref/1` schema through ldex-core's scheduling policies, and
//! compare with the reference results.
//!
//! Each case becomes a scenario for the simulated machine ([`crate::run::run_with`]):
//! processes whose programs compute, read the disk and exit, run by the real
//! `ldex_core::Kernel` under the ldex-core policy that matches the
//! simulator: FIFO, SJF or round robin for `scheduler.py`, MLFQ
//! for `mlfq.py`, the cooperative policy for `process-run.py`, lottery with
//! the recorded draws replayed for `lottery.py`. A [`record::Recorder`]
//! around the policy logs every call; the per-simulator modules read the
//! schedule, the events and the results off that log and render them in the
//! shape of the case's `expected`, printed strings included. One timer tick
//! is one OSTEP time unit; the kernel's tick order (charge the tick, then
//! the system call that ended it; arrivals, then I/O completions, then the
//! pick) is the simulators' order.
//!
//! Output: `{"schema":"ldex-ostep-ref/1","results":[{"id":..,"actual":..}]}`
//! on stdout (or, with `--text`, what the simulator prints with `-c`); on
//! stderr `N passed, M failed` and the first difference of each failing
//! case. Exit status: 0 when all pass, 1 when some fail, 2 for bad input.
//! `--svg FILE` also draws each case as a Gantt chart (`FILE` itself for a
//! one-case file, else `FILE` with the case id before the extension).

mod diff;
mod gantt;
mod json;
mod lottery;
mod mlfq;
mod proc_run;
pub mod record;
mod sched;

use std::sync::{Arc, Mutex};

use ldex_core::sched::Scheduler;
use serde_json::{Value, json};

use crate::policy::DynPolicy;
use crate::run::{MAX_PROCS, run_with};
use crate::scenario::{ProcSpec, Scenario, Settings};
pub use json::InputError;
use json::Node;
use record::{Log, SharedLog, What};

/// The schema tag this replay reads and writes.
pub const SCHEMA: &str = "ldex-ostep-ref/1";

/// The simulators a case may name.
pub const SIMULATORS: [&str; 4] = ["scheduler.py", "mlfq.py", "process-run.py", "lottery.py"];

/// How many ticks a case may run before it counts as stuck.
const MAX_TICKS: u64 = 1_000_000;

/// A case's inputs, by simulator.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Input {
    Sched(sched::Input),
    Mlfq(Box<mlfq::Input>),
    Proc(proc_run::Input),
    Lottery(lottery::Input),
}

/// A parsed case.
#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    /// The case id.
    pub id: String,
    input: Input,
    /// The reference results.
    pub expected: Value,
}

/// What a case produced.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// Shaped like the case's `expected`.
    pub actual: Value,
    /// What the OSTEP simulator prints with `-c`.
    pub text: String,
    /// The schedule as an SVG Gantt chart.
    pub svg: String,
}

/// A case ready to run: the processes and the (recording) policy.
pub struct Run {
    procs: Vec<ProcSpec>,
    sched: Box<dyn Scheduler + Send>,
}

/// Parse a whole file.
pub fn parse(text: &str) -> Result<Vec<Case>, InputError> {
    let file_error = |field: &str, problem: String| InputError {
        case: None,
        field: field.into(),
        problem,
    };
    let root: Value =
        serde_json::from_str(text).map_err(|e| file_error("(file)", format!("not JSON: {e}")))?;
    let schema = root.get("schema").and_then(Value::as_str);
    if schema != Some(SCHEMA) {
        return Err(file_error(
            "schema",
            format!("expected {SCHEMA:?}, found {:?}", root.get("schema")),
        ));
    }
    let cases = root
        .get("cases")
        .and_then(Value::as_array)
        .ok_or_else(|| file_error("cases", "expected an array of cases".into()))?;
    cases
        .iter()
        .enumerate()
        .map(|(k, c)| parse_case(k, c))
        .collect()
}

fn parse_case(k: usize, value: &Value) -> Result<Case, InputError> {
    let fallback = format!("#{k}");
    let id = value.get("id").and_then(Value::as_str).unwrap_or(&fallback);
    let node = Node::root(id, value);
    node.get("id")?.str()?;
    let simulator = node.get("simulator")?.one_of(&SIMULATORS)?;
    let input = node.get("input")?;
    let jobs_field = if simulator == "process-run.py" {
        "processes"
    } else {
        "jobs"
    };
    let jobs = input.get(jobs_field)?;
    let n = jobs.value().as_array().map_or(0, Vec::len);
    if n > MAX_PROCS {
        return Err(jobs.error(format!(
            "{n} jobs; the simulated machine holds at most {MAX_PROCS}"
        )));
    }
    let command = node.opt_str("command");
    let input = match simulator {
        "scheduler.py" => Input::Sched(sched::parse(&input, command)?),
        "mlfq.py" => Input::Mlfq(Box::new(mlfq::parse(&input)?)),
        "process-run.py" => Input::Proc(proc_run::parse(&input)?),
        _ => Input::Lottery(lottery::parse(&input, command)?),
    };
    let expected = node.get("expected")?;
    if !expected.value().is_object() {
        return Err(expected.error("expected an object"));
    }
    Ok(Case {
        id: id.to_string(),
        input,
        expected: expected.value().clone(),
    })
}

/// Run one case on the simulated machine and render its results.
pub fn run(case: &Case) -> Result<Outcome, String> {
    let log: SharedLog = Arc::new(Mutex::new(Log::default()));
    let run = match &case.input {
        Input::Sched(i) => sched::setup(i, &log),
        Input::Mlfq(i) => mlfq::setup(i, &log),
        Input::Proc(i) => proc_run::setup(i, &log),
        Input::Lottery(i) => lottery::setup(i, &log),
    };
    let n = run.procs.len();
    let procs: Vec<ProcSpec> = run
        .procs
        .into_iter()
        .enumerate()
        .map(|(k, p)| ProcSpec {
            name: format!("job{k}"),
            ..p
        })
        .collect();
    let scenario = Scenario {
        settings: Settings {
            policy: run.sched.name().into(),
            max_ticks: MAX_TICKS,
            ..Settings::default()
        },
        procs,
    };
    let report = run_with(&scenario, DynPolicy::new(run.sched));
    if let Some(halt) = &report.halt {
        return Err(format!("case {}: the machine stopped: {halt:?}", case.id));
    }
    let jobs: Vec<usize> = report
        .launches
        .iter()
        .map(|l| {
            l.name
                .strip_prefix("job")
                .and_then(|k| k.parse().ok())
                .unwrap_or(usize::MAX)
        })
        .collect();
    let mut log = record::lock(&log);
    let finishes: Vec<u64> = log
        .events
        .iter()
        .filter(|e| matches!(e.1, What::Finish(_)))
        .map(|e| e.0)
        .collect();
    if finishes.len() != n {
        return Err(format!(
            "case {}: {} of {n} jobs finished",
            case.id,
            finishes.len()
        ));
    }
    let end = finishes.iter().copied().max().unwrap_or(0);
    log.to_jobs(&jobs, end);
    Ok(match &case.input {
        Input::Sched(i) => sched::render(i, &log, end),
        Input::Mlfq(i) => mlfq::render(i, &log, end),
        Input::Proc(i) => proc_run::render(i, &log, end),
        Input::Lottery(i) => lottery::render(i, &log, end),
    })
}

/// The first difference between a case's expected and actual results.
pub fn first_difference(expected: &Value, actual: &Value) -> Option<String> {
    diff::first(expected, actual, "expected")
}

/// `ldex-sim ostep FILE [--text]`; returns the exit status.
pub fn cli(args: &[String]) -> i32 {
    const USAGE: &str = "usage: ldex-sim ostep FILE [--text] [--svg OUT.svg]";
    let mut text = false;
    let mut svg = None;
    let mut file = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--text" => text = true,
            "--svg" => match it.next() {
                Some(out) => svg = Some(out.clone()),
                None => {
                    eprintln!("{USAGE}  (--svg needs a file name)");
                    return 2;
                }
            },
            _ if file.is_none() && !a.starts_with("--") => file = Some(a.clone()),
            _ => {
                eprintln!("{USAGE}  (unexpected argument {a:?})");
                return 2;
            }
        }
    }
    let Some(file) = file else {
        eprintln!("{USAGE}");
        return 2;
    };
    let content = match std::fs::read_to_string(&file) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{file}: {e}");
            return 2;
        }
    };
    let cases = match parse(&content) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{file}: {e}");
            return 2;
        }
    };
    let (mut passed, mut failed) = (0, 0);
    let mut failures = Vec::new();
    let mut results = Vec::new();
    for case in &cases {
        match run(case) {
            Ok(out) => {
                match first_difference(&case.expected, &out.actual) {
                    None => passed += 1,
                    Some(d) => {
                        failed += 1;
                        failures.push(format!("{}: {d}", case.id));
                    }
                }
                if text {
                    print!("== {} ==\n{}", case.id, out.text);
                }
                if let Some(svg) = &svg {
                    let path = svg_path(svg, &case.id, cases.len());
                    if let Err(e) = std::fs::write(&path, &out.svg) {
                        eprintln!("{path}: {e}");
                        return 2;
                    }
                }
                results.push(json!({"id": case.id, "actual": out.actual}));
            }
            Err(e) => {
                failed += 1;
                failures.push(e);
                results.push(json!({"id": case.id, "actual": null}));
            }
        }
    }
    if !text {
        println!("{}", json!({"schema": SCHEMA, "results": results}));
    }
    eprintln!("{passed} passed, {failed} failed");
    for f in failures {
        eprintln!("{f}");
    }
    if failed == 0 { 0 } else { 1 }
}

/// Where the chart of case `id` goes: `out` itself when the file has one
/// case, else `out` with `-id` before its extension.
fn svg_path(out: &str, id: &str, cases: usize) -> String {
    if cases == 1 {
        return out.to_string();
    }
    match out.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && !ext.contains('/') => format!("{stem}-{id}.{ext}"),
        _ => format!("{out}-{id}"),
    }
}

/// The items of the array `node`, once their members `key` are checked to
/// count 0, 1, 2, ….
fn items_in_id_order<'a>(node: &Node<'a>, key: &str) -> Result<Vec<Node<'a>>, InputError> {
    let items = node.items()?;
    for (k, item) in items.iter().enumerate() {
        let id = item.get(key)?;
        if id.u64()? != k as u64 {
            return Err(id.error(format!("expected {k}: ids count up from 0 in list order")));
        }
    }
    Ok(items)
}

/// `sum / n` as the simulators compute averages.
fn avg(sum: u64, n: usize) -> f64 {
    if n == 0 { 0.0 } else { sum as f64 / n as f64 }
}

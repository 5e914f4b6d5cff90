//! `process-run.py`: processes of one-tick instructions (`cpu`, `io`,
//! `io_done`) under the cooperative policy, switching on I/O or only at
//! the end, and running a process whose I/O completed later or at once.

use std::fmt::Write;

use ldex_core::sched::{CoopConfig, Cooperative, Hint};
use serde_json::{Value, json};

use super::json::{InputError, Node};
use super::record::{Log, Recorder, SharedLog, What};
use super::{Outcome, Run, items_in_id_order};
use crate::scenario::{Op, ProcSpec};

/// The instructions.
const INSTRUCTIONS: [&str; 3] = ["cpu", "io", "io_done"];

/// A `process-run.py` case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    config: CoopConfig,
    io_length: u64,
    programs: Vec<Vec<&'static str>>,
}

/// Read a case's `input`.
pub fn parse(input: &Node) -> Result<Input, InputError> {
    let switch_on_io = input
        .get("switch")?
        .one_of(&["SWITCH_ON_IO", "SWITCH_ON_END"])?
        == "SWITCH_ON_IO";
    let wake_preempts = input
        .get("io_done")?
        .one_of(&["IO_RUN_LATER", "IO_RUN_IMMEDIATE"])?
        == "IO_RUN_IMMEDIATE";
    let io_length = input.get("io_length")?.u64()?;
    let programs = items_in_id_order(&input.get("processes")?, "pid")?
        .iter()
        .map(|p| {
            let prog = p.get("program")?;
            let items = prog.items()?;
            if items.is_empty() {
                return Err(prog.error("a process needs at least one instruction"));
            }
            items
                .iter()
                .map(|i| {
                    let s = i.one_of(&INSTRUCTIONS)?;
                    Ok(INSTRUCTIONS
                        .iter()
                        .copied()
                        .find(|x| *x == s)
                        .unwrap_or("cpu"))
                })
                .collect()
        })
        .collect::<Result<Vec<Vec<&'static str>>, InputError>>()?;
    Ok(Input {
        config: CoopConfig {
            switch_on_io,
            wake_preempts,
        },
        io_length,
        programs,
    })
}

/// The scenario and the policy for it, recording into `log`.
pub fn setup(input: &Input, log: &SharedLog) -> Run {
    let sched = Cooperative::with_capacity(input.programs.len(), input.config);
    let procs = input
        .programs
        .iter()
        .map(|prog| {
            let mut ops = Vec::new();
            for &ins in prog {
                ops.push(Op::Compute(1));
                if ins == "io" {
                    ops.push(Op::Io(input.io_length));
                }
            }
            ops.push(Op::Exit(0));
            ProcSpec {
                name: String::new(),
                arrival: 0,
                hint: Hint::NONE,
                program: ops,
            }
        })
        .collect();
    Run {
        procs,
        sched: Box::new(Recorder::new(sched, log.clone(), None)),
    }
}

/// One row of the trace: (io completed, per-pid column, CPU busy, I/Os in flight).
type Row = (bool, Vec<String>, bool, usize);

/// Render the results the way the case's `expected` is shaped.
pub fn render(input: &Input, log: &Log, end: u64) -> Outcome {
    let n = input.programs.len();
    let mut finish = vec![u64::MAX; n];
    let mut ios: Vec<(usize, u64, u64)> = Vec::new();
    let mut woke = Vec::new();
    for &(t, w) in &log.events {
        match w {
            What::Finish(p) => finish[p] = t,
            What::IoStart(p) => ios.push((p, t, u64::MAX)),
            What::IoDone(p) => {
                woke.push(t);
                if let Some(io) = ios
                    .iter_mut()
                    .rev()
                    .find(|io| io.0 == p && io.2 == u64::MAX)
                {
                    io.2 = t;
                }
            }
            _ => {}
        }
    }
    let mut executed = vec![0usize; n];
    let rows: Vec<Row> = (1..=end)
        .map(|tick| {
            let sim = tick - 1;
            let ran = log.ticks.get(sim as usize).copied().flatten().map(|r| r.0);
            let cols = (0..n)
                .map(|p| {
                    if ran == Some(p) {
                        let ins = input.programs[p].get(executed[p]).copied().unwrap_or("cpu");
                        executed[p] += 1;
                        format!("RUN:{ins}")
                    } else if finish[p] <= sim {
                        "DONE".to_string()
                    } else if ios.iter().any(|&(q, b, w)| q == p && b <= sim && sim < w) {
                        "BLOCKED".to_string()
                    } else {
                        "READY".to_string()
                    }
                })
                .collect();
            let in_flight = ios
                .iter()
                .filter(|&&(_, b, w)| b < tick && tick <= w)
                .count();
            (woke.contains(&sim), cols, ran.is_some(), in_flight)
        })
        .collect();
    let cpu_busy = rows.iter().filter(|r| r.2).count() as u64;
    let io_busy = rows.iter().filter(|r| r.3 > 0).count() as u64;
    let pct = |x: u64| {
        if end == 0 {
            "0.00".to_string()
        } else {
            format!("{:.2}", 100.0 * x as f64 / end as f64)
        }
    };
    let mut header = "Time".to_string();
    for p in 0..n {
        let _ = write!(header, "{:>14}", format!("PID:{p:2}"));
    }
    let _ = write!(header, "{:>14}{:>14}", "CPU", "IOs");
    let lines: Vec<String> = rows
        .iter()
        .enumerate()
        .map(|(k, (done, cols, cpu, in_flight))| {
            let mut line = format!("{:3}{}", k + 1, if *done { "*" } else { " " });
            for c in cols {
                let _ = write!(line, "{c:>14}");
            }
            let _ = write!(line, "{:>14}", if *cpu { "1" } else { " " });
            if *in_flight > 0 {
                let _ = write!(line, "{in_flight:>14}");
            } else {
                let _ = write!(line, "{:>10}", " ");
            }
            line
        })
        .collect();
    let stats_lines = vec![
        format!("Stats: Total Time {end}"),
        format!("Stats: CPU Busy {cpu_busy} ({}%)", pct(cpu_busy)),
        format!("Stats: IO Busy  {io_busy} ({}%)", pct(io_busy)),
    ];
    let trace: Vec<Value> = rows
        .iter()
        .enumerate()
        .map(|(k, (done, cols, cpu, in_flight))| {
            json!({"time": k + 1, "io_done": done, "procs": cols, "cpu": u8::from(*cpu), "ios": in_flight})
        })
        .collect();
    let actual = json!({
        "trace": trace,
        "stats": {
            "total_time": end,
            "cpu_busy": cpu_busy,
            "io_busy": io_busy,
            "cpu_busy_pct": pct(cpu_busy),
            "io_busy_pct": pct(io_busy),
        },
        "printed": {"header": header, "trace_lines": lines, "stats_lines": stats_lines},
    });
    let mut text = String::new();
    let _ = writeln!(text, "{header}");
    for l in &lines {
        let _ = writeln!(text, "{l}");
    }
    let _ = writeln!(text);
    for l in &stats_lines {
        let _ = writeln!(text, "{l}");
    }
    let _ = writeln!(text);
    let svg = super::gantt::render(n, log, end, &[]);
    Outcome { actual, text, svg }
}

//! The simulator's speed for `cargo xtask bench` (and `cargo xtask
//! bench-sim`): `ldex-sim --trace-off` on two scenarios, one core each.
//!
//! * `ldex-bench/sim-speed.scn`: a timer interrupt on every tick and no
//!   switch, so nearly every tick is a trap through the ldex-core protocol;
//!   counted: simulated traps from user mode.
//! * `ldex-bench/sim-switch.scn`: round robin with a one-tick quantum
//!   between two processes, so every tick is a trap *and* a context switch
//!   (the scheduler resumes the other process's coroutine); counted:
//!   simulated context switches.
//! * `ldex-bench/sim-smp.scn`: the same 2,000,000 switches over 4 CPUs
//!   (eight processes, round robin with a one-tick quantum), all picking
//!   from the one run queue; counted: simulated context switches. Against
//!   the row above it is the cost of stepping several CPUs (each tick
//!   passes through every CPU's coroutine) and of the shared queue.
//!
//! The fastest of [`RUNS`] runs counts, since the other runs lost time to
//! the machine's other load.

use crate::cmd::{Cmd, Error, Result};
use crate::perfdoc;
use std::path::Path;
use std::time::{Duration, Instant};

/// Timed runs of each scenario.
const RUNS: usize = 5;
/// The targets, per second of wall time.
const TARGET: f64 = 1e6;

/// One measured scenario: its path relative to the repository root, what
/// is counted, and the words of ldex-sim's summary line that follow the
/// count.
struct Scenario {
    path: &'static str,
    counted: &'static str,
    summary_words: &'static str,
}

/// The scenarios, in table order.
const SCENARIOS: &[Scenario] = &[
    Scenario {
        path: "ldex-bench/sim-speed.scn",
        counted: "traps",
        summary_words: " traps from user mode",
    },
    Scenario {
        path: "ldex-bench/sim-switch.scn",
        counted: "context switches",
        summary_words: " context switches",
    },
    Scenario {
        path: "ldex-bench/sim-smp.scn",
        counted: "context switches, 4 CPUs",
        summary_words: " context switches",
    },
];

/// How the table was measured, for its stamp.
pub const COMMAND: &str =
    "`ldex-sim --scenario ldex-bench/sim-{speed,switch,smp}.scn --trace-off`, release build";

/// Builds the release ldex-sim, times it and returns the section's table.
pub fn measure() -> Result<String> {
    let build = Cmd::cargo().args(["build", "--release", "-p", "ldex-sim"]);
    println!("+ {}", build.shown());
    build.run()?;
    let exe = crate::root()
        .join("target")
        .join("release")
        .join("ldex-sim");
    let rows = SCENARIOS
        .iter()
        .map(|s| row(&exe, s))
        .collect::<Result<Vec<_>>>()?;
    let wall_header = format!("wall time (fastest of {RUNS})");
    Ok(perfdoc::table(
        &[
            "scenario",
            "counted",
            "count",
            &wall_header,
            "per second",
            "target",
        ],
        &rows,
    ))
}

/// Time `scenario` [`RUNS`] times; its table row.
fn row(exe: &Path, scenario: &Scenario) -> Result<Vec<String>> {
    let path = crate::root().join(scenario.path);
    let mut best: Option<(Duration, u64)> = None;
    for _ in 0..RUNS {
        let run = Cmd::new(exe)
            .arg("--scenario")
            .arg(&path)
            .arg("--trace-off");
        let start = Instant::now();
        let out = run.read()?;
        let wall = start.elapsed();
        let count = count_before(&out, scenario.summary_words).ok_or_else(|| {
            Error::new(format!(
                "ldex-sim printed no `N{}`:\n{out}",
                scenario.summary_words
            ))
        })?;
        if best.is_none_or(|(b, _)| wall < b) {
            best = Some((wall, count));
        }
    }
    let (wall, count) = best.expect("RUNS > 0");
    let rate = count as f64 / wall.as_secs_f64();
    Ok(vec![
        format!("`{}`", scenario.path),
        scenario.counted.to_owned(),
        count.to_string(),
        format!("{:.3} s", wall.as_secs_f64()),
        format!("{:.2} M/s", rate / 1e6),
        format!(
            "≥ {:.0} M/s{}",
            TARGET / 1e6,
            if rate >= TARGET { " ✓" } else { "" }
        ),
    ])
}

/// The number just before `words` in ldex-sim's summary line.
fn count_before(out: &str, words: &str) -> Option<u64> {
    let before = &out[..out.find(words)?];
    before.rsplit(' ').next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_trap_and_switch_counts_are_read_from_the_summary_line() {
        let out = "summary: 2 processes, 2 exited, 0 killed; 2000010 ticks; 2000010 traps from user \
                   mode (2 system calls, 2000008 timer, 0 device, 0 faults); 3 context switches\n";
        assert_eq!(count_before(out, " traps from user mode"), Some(2_000_010));
        assert_eq!(count_before(out, " context switches"), Some(3));
        assert_eq!(count_before("summary: nothing", " context switches"), None);
    }
}

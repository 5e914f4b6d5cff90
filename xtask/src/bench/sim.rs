//! The simulator's speed for `cargo xtask bench`: simulated traps per second
//! of `ldex-sim --trace-off` on `ldex-bench/sim-speed.scn`, a scenario with
//! a timer interrupt on every tick, so nearly every tick is a trap through
//! the ldex-core protocol. One process, one core; the fastest of [`RUNS`]
//! runs counts, since the other runs lost time to the machine's other load.

use crate::cmd::{Cmd, Error, Result};
use crate::perfdoc;
use std::time::{Duration, Instant};

/// Timed runs of the scenario.
const RUNS: usize = 5;
/// The target, simulated traps per second.
const TARGET: f64 = 1e6;
/// The scenario, relative to the repository root.
pub const SCENARIO: &str = "ldex-bench/sim-speed.scn";

/// Builds the release ldex-sim, times it and returns the section's table.
pub fn measure() -> Result<String> {
    let build = Cmd::cargo().args(["build", "--release", "-p", "ldex-sim"]);
    println!("+ {}", build.shown());
    build.run()?;
    let exe = crate::root()
        .join("target")
        .join("release")
        .join("ldex-sim");
    let scenario = crate::root().join(SCENARIO);
    let mut best: Option<(Duration, u64)> = None;
    for _ in 0..RUNS {
        let run = Cmd::new(&exe)
            .arg("--scenario")
            .arg(&scenario)
            .arg("--trace-off");
        let start = Instant::now();
        let out = run.read()?;
        let wall = start.elapsed();
        let traps = traps(&out).ok_or_else(|| {
            Error::new(format!(
                "ldex-sim printed no `N traps from user mode`:\n{out}"
            ))
        })?;
        if best.is_none_or(|(b, _)| wall < b) {
            best = Some((wall, traps));
        }
    }
    let (wall, traps) = best.expect("RUNS > 0");
    let rate = traps as f64 / wall.as_secs_f64();
    let rows = [vec![
        format!("`{SCENARIO}`"),
        traps.to_string(),
        format!("{:.3} s", wall.as_secs_f64()),
        format!("{:.2} M/s", rate / 1e6),
        format!(
            "≥ {:.0} M/s{}",
            TARGET / 1e6,
            if rate >= TARGET { " ✓" } else { "" }
        ),
    ]];
    let wall_header = format!("wall time (fastest of {RUNS})");
    Ok(perfdoc::table(
        &[
            "scenario",
            "simulated traps",
            &wall_header,
            "traps/s",
            "target",
        ],
        &rows,
    ))
}

/// The trap count of ldex-sim's summary line.
fn traps(out: &str) -> Option<u64> {
    let before = &out[..out.find(" traps from user mode")?];
    before.rsplit(' ').next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_trap_count_is_read_from_the_summary_line() {
        let out = "summary: 2 processes, 2 exited, 0 killed; 2000010 ticks; 2000010 traps from user \
                   mode (2 system calls, 2000008 timer, 0 device, 0 faults); 3 context switches\n";
        assert_eq!(traps(out), Some(2_000_010));
        assert_eq!(traps("summary: nothing"), None);
    }
}

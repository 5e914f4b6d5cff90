//! The host's criterion benches for `cargo xtask bench` (`ldex-bench`), run
//! with short criterion times ([`TIMES`]) so that the whole command stays
//! within a quarter of an hour on a 2-core machine:
//!
//! * `swtch`: the real x86_64 resume+suspend round trip next to corosensei's
//!   resume+yield round trip, as a ratio;
//! * `policies`: every scheduling policy next to axsched, turned into
//!   tables by ldex-bench's `perf-table` binary.

use crate::cmd::{Cmd, Error, Result};
use crate::perfdoc;
use std::path::PathBuf;
use std::time::SystemTime;

/// Criterion's warm-up and measurement times, in seconds.
pub const TIMES: &[&str] = &["--warm-up-time", "1", "--measurement-time", "2"];

/// The criterion group of `ldex-bench/benches/swtch.rs`.
const SWTCH_GROUP: &str = "swtch round trip";
/// Its benchmarks, the peer last.
const SWTCH: [&str; 2] = ["ldex swtch", "corosensei resume+yield"];
/// The issue's target: our round trip at most this many times the peer's.
const SWTCH_TARGET: f64 = 1.0;

/// `cargo bench -p ldex-bench --bench NAME -- TIMES`.
fn run_bench(name: &str) -> Result {
    let cmd = Cmd::cargo()
        .args(["bench", "-p", "ldex-bench", "--bench", name, "--"])
        .args(TIMES);
    println!("+ {}", cmd.shown());
    cmd.run()
}

fn criterion_dir() -> PathBuf {
    crate::root().join("target").join("criterion")
}

/// Runs the swtch bench and returns its table: median per round trip and
/// the ratio to corosensei's.
pub fn swtch() -> Result<String> {
    let start = SystemTime::now();
    run_bench("swtch")?;
    let medians = SWTCH
        .iter()
        .map(|f| fresh_median(SWTCH_GROUP, f, start))
        .collect::<Result<Vec<f64>>>()?;
    let peer = medians[SWTCH.len() - 1];
    let rows: Vec<Vec<String>> = SWTCH
        .iter()
        .zip(&medians)
        .map(|(name, ns)| {
            let ratio = ns / peer;
            let mark = if ratio <= SWTCH_TARGET { " ✓" } else { "" };
            vec![
                name.to_string(),
                format!("{ns:.1}"),
                format!("{ratio:.2}×{mark}"),
            ]
        })
        .collect();
    Ok(perfdoc::table(
        &[
            "round trip (A → B → A)",
            "median ns",
            "ratio to corosensei (target ≤ 1.0×)",
        ],
        &rows,
    ))
}

/// Runs the policy bench and returns `perf-table`'s tables.
pub fn policies() -> Result<String> {
    run_bench("policies")?;
    Cmd::cargo()
        .args(["run", "-q", "-p", "ldex-bench", "--bin", "perf-table"])
        .env("CARGO_TARGET_DIR", crate::root().join("target"))
        .read()
}

/// The median (ns) of criterion's `GROUP/FUNCTION`, which must have been
/// written since `since` (measured in this run).
fn fresh_median(group: &str, function: &str, since: SystemTime) -> Result<f64> {
    let path = criterion_dir()
        .join(group)
        .join(function)
        .join("new")
        .join("estimates.json");
    let fresh = path
        .metadata()
        .and_then(|m| m.modified())
        .is_ok_and(|t| t >= since);
    if !fresh {
        return Err(Error::new(format!(
            "{}: not written by this run of the benchmark",
            path.display()
        )));
    }
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Error::new(format!("{}: {e}", path.display())))?;
    median_ns(&text).ok_or_else(|| Error::new(format!("{}: no median estimate", path.display())))
}

/// The median's point estimate (ns) of a criterion `estimates.json`.
fn median_ns(json: &str) -> Option<f64> {
    let after = &json[json.find(r#""median":"#)?..];
    let value = &after[after.find(r#""point_estimate":"#)? + r#""point_estimate":"#.len()..];
    let end = value.find([',', '}'])?;
    value[..end].trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_point_estimate_is_read_from_criterion_json() {
        let json = r#"{"mean":{"confidence_interval":{"lower_bound":10.0},"point_estimate":11.25,"standard_error":0.5},"median":{"confidence_interval":{"lower_bound":8.0},"point_estimate":9.5}}"#;
        assert_eq!(median_ns(json), Some(9.5));
        assert_eq!(median_ns(r#"{"mean":{"point_estimate":1.0}}"#), None);
    }
}

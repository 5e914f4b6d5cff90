//! Turn the criterion results of `benches/policies.rs` into the markdown
//! tables of docs/performance.md: median time per operation, the ratios
//! against axsched, and the 1M/1k scaling of every policy.
//!
//! Run after the benchmarks: `cargo run -p ldex-bench --bin perf-table`.
//! Reads `$CARGO_TARGET_DIR/criterion` (default: the workspace's `target/`).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

const OPS: [&str; 4] = ["admit", "pick+put_back", "tick", "cycle"];
const SIZES: [&str; 3] = ["1000", "100000", "1000000"];
const POLICIES: [&str; 11] = [
    "ldex/fifo",
    "ldex/rr",
    "ldex/sjf",
    "ldex/stcf",
    "ldex/mlfq",
    "ldex/lottery",
    "ldex/stride",
    "ldex/cooperative",
    "axsched/fifo",
    "axsched/rr",
    "axsched/cfs",
];
/// (ours, baseline, target ratio).
const VERSUS: [(&str, &str, f64); 3] = [
    ("ldex/fifo", "axsched/fifo", 1.0),
    ("ldex/rr", "axsched/rr", 1.0),
    ("ldex/stride", "axsched/cfs", 0.5),
];

/// (policy, op, size) -> median ns.
type Results = BTreeMap<(String, String, String), f64>;

fn read(dir: &Path, out: &mut Results) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        if path.is_dir() {
            read(&path, out);
        } else if path.ends_with("new/benchmark.json") {
            let est = path.with_file_name("estimates.json");
            let (Ok(b), Ok(s)) = (
                std::fs::read_to_string(&path),
                std::fs::read_to_string(&est),
            ) else {
                continue;
            };
            let (Ok(b), Ok(s)) = (
                serde_json::from_str::<serde_json::Value>(&b),
                serde_json::from_str::<serde_json::Value>(&s),
            ) else {
                continue;
            };
            let key = |k: &str| b[k].as_str().unwrap_or_default().to_string();
            if let Some(ns) = s["median"]["point_estimate"].as_f64() {
                // Groups are operations, functions policies, values sizes.
                out.insert((key("function_id"), key("group_id"), key("value_str")), ns);
            }
        }
    }
}

fn fmt_ns(ns: Option<&f64>) -> String {
    ns.map_or("–".into(), |ns| format!("{ns:.1}"))
}

fn main() {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let mut r = Results::new();
    read(&target.join("criterion"), &mut r);
    if r.is_empty() {
        eprintln!(
            "no criterion results under {}: run the benchmarks first",
            target.display()
        );
        std::process::exit(1);
    }
    let get = |g: &str, op: &str, n: &str| r.get(&(g.to_string(), op.to_string(), n.to_string()));
    let mut out = String::new();
    let _ = writeln!(out, "Median time per operation, in ns:\n");
    let _ = write!(out, "| policy |");
    for op in OPS {
        for n in SIZES {
            let _ = write!(out, " {op} {} |", short(n));
        }
    }
    let _ = write!(out, "\n|---|");
    out.push_str(&"---:|".repeat(OPS.len() * SIZES.len()));
    out.push('\n');
    for g in POLICIES {
        let _ = write!(out, "| {g} |");
        for op in OPS {
            for n in SIZES {
                let _ = write!(out, " {} |", fmt_ns(get(g, op, n)));
            }
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "\nRatio to axsched (ours / theirs; target in brackets, ✓ when met):\n"
    );
    let _ = write!(out, "| pair |");
    for op in OPS {
        for n in SIZES {
            let _ = write!(out, " {op} {} |", short(n));
        }
    }
    let _ = write!(out, "\n|---|");
    out.push_str(&"---:|".repeat(OPS.len() * SIZES.len()));
    out.push('\n');
    for (ours, theirs, target) in VERSUS {
        let _ = write!(out, "| {ours} / {theirs} (≤ {target}) |");
        for op in OPS {
            for n in SIZES {
                let cell = match (get(ours, op, n), get(theirs, op, n)) {
                    (Some(a), Some(b)) => {
                        let x = a / b;
                        format!("{x:.2}{}", if x <= target { " ✓" } else { "" })
                    }
                    _ => "–".into(),
                };
                let _ = write!(out, " {cell} |");
            }
        }
        out.push('\n');
    }
    let _ = writeln!(out, "\nScaling, cost at 1M / cost at 1k (target ≤ 2):\n");
    let _ = writeln!(
        out,
        "| policy | {} |\n|---|{}",
        OPS.join(" | "),
        "---:|".repeat(OPS.len())
    );
    for g in POLICIES {
        let _ = write!(out, "| {g} |");
        for op in OPS {
            let cell = match (get(g, op, "1000000"), get(g, op, "1000")) {
                (Some(a), Some(b)) => {
                    let x = a / b;
                    format!("{x:.2}{}", if x <= 2.0 { " ✓" } else { "" })
                }
                _ => "–".into(),
            };
            let _ = write!(out, " {cell} |");
        }
        out.push('\n');
    }
    print!("{out}");
}

fn short(n: &str) -> &'static str {
    match n {
        "1000" => "1k",
        "100000" => "100k",
        _ => "1M",
    }
}

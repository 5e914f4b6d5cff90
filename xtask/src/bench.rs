//! `cargo xtask bench-qemu <arch>` and `cargo xtask bench`.
//!
//! `bench-qemu` boots the arch's bench kernel under
//! `-icount shift=0,sleep=off`, which makes guest instruction counts exactly
//! repeatable, and collects the lines the kernel prints as
//! `bench: NAME INSTRUCTIONS`. `bench` runs the workspace's criterion
//! benches and `bench-qemu` for every arch that has a bench boot, then
//! rewrites the tables of `docs/performance.md` (see [`crate::perfdoc`]).

use crate::arches::Outcome;
use crate::arches::{self, Arch};
use crate::boot::{self, Source};
use crate::cmd::{Cmd, Error, Result, on_path};
use crate::perfdoc;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// QEMU's deterministic instruction counting.
const ICOUNT: &[&str] = &["-icount", "shift=0,sleep=off"];

/// One measurement: a name and its value.
pub type Row = (String, String);

/// Boots the bench kernel of `arch` and returns `bench:` lines in order.
pub fn qemu(arch: &Arch) -> Result<Vec<Row>> {
    let bench = arch
        .bench
        .as_ref()
        .ok_or_else(|| Error::new(format!("{} has no bench boot registered", arch.name)))?;
    let source = Source::Spec(bench.initrd);
    let prepared = boot::prepare(arch, bench.kernel_features, source, "bench")?;
    let args: Vec<&str> = bench.qemu_args.iter().chain(ICOUNT).copied().collect();
    let timeout = Some(Duration::from_secs(bench.timeout_secs));
    let ended = prepared.run(arch, bench.cmdline, &args, timeout).run()?;
    boot::judge(&ended.verdict, Outcome::Success, arch.exit)
        .map_err(|why| Error::new(format!("{} bench boot failed: {why}", arch.name)))?;
    let rows = parse_bench_lines(&ended.transcript)?;
    if rows.is_empty() {
        return Err(Error::new(format!(
            "{} bench kernel printed no `bench: NAME INSTRUCTIONS` line",
            arch.name
        )));
    }
    Ok(rows)
}

/// The `bench: NAME INSTRUCTIONS` lines of a transcript (also read:
/// `bench: NAME: N instructions`); a malformed one is an error naming it.
fn parse_bench_lines(transcript: &str) -> Result<Vec<Row>> {
    transcript
        .lines()
        .filter_map(|line| {
            line.trim_end()
                .strip_prefix("bench: ")
                .map(|rest| (line, rest))
        })
        .map(|(line, rest)| {
            let rest = rest.strip_suffix(" instructions").unwrap_or(rest);
            match rest.rsplit_once(' ') {
                Some((name, count)) if count.parse::<u64>().is_ok() => {
                    let name = name.trim().trim_end_matches(':').trim_end();
                    if name.is_empty() {
                        None
                    } else {
                        Some((name.to_owned(), count.to_owned()))
                    }
                }
                _ => None,
            }
            .ok_or_else(|| {
                Error::new(format!(
                    "malformed bench line {line:?}: want `bench: NAME INSTRUCTIONS`"
                ))
            })
        })
        .collect()
}

/// `cargo xtask bench-qemu <arch>`: prints the table.
pub fn qemu_main(arch_name: &str) -> Result {
    let arch = arches::find(arch_name)?;
    let rows = qemu(arch)?;
    println!("\n{}", qemu_table(arch, &rows));
    Ok(())
}

fn qemu_table(arch: &Arch, rows: &[Row]) -> String {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|(n, v)| vec![n.clone(), v.clone()])
        .collect();
    format!(
        "Measured with `cargo xtask bench-qemu {}` (QEMU `-icount shift=0,sleep=off`).\n\n{}",
        arch.name,
        perfdoc::table(&["measurement", "guest instructions"], &rows)
    )
}

/// `cargo xtask bench`: every benchmark, then the document.
pub fn main() -> Result {
    let mut sections = Vec::new();
    let mut notes = Vec::new();
    match host()? {
        Some(table) => sections.push(("host".to_owned(), table)),
        None => notes.push("host: no workspace crate has a bench target yet".to_owned()),
    }
    for arch in arches::all() {
        if arch.bench.is_none() {
            notes.push(format!("qemu-{}: no bench boot registered", arch.name));
        } else if !on_path(arch.qemu.binary) {
            return Err(Error::new(format!(
                "{} is not installed (install with: {})",
                arch.qemu.binary,
                crate::QEMU_INSTALL_HINT
            )));
        } else {
            sections.push((
                format!("qemu-{}", arch.name),
                qemu_table(arch, &qemu(arch)?),
            ));
        }
    }
    if arches::all().next().is_none() {
        notes.push("qemu: no example kernel registered yet (xtask/src/arches/)".to_owned());
    }
    for (name, table) in &sections {
        println!("\n[{name}]\n{table}");
    }
    write_doc(&sections)?;
    for note in notes {
        println!("not measured: {note}");
    }
    Ok(())
}

/// Criterion benches of the workspace, if any: the mean of every bench
/// that this run measured.
fn host() -> Result<Option<String>> {
    let metadata = Cmd::cargo()
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .read()?;
    if !metadata.contains(r#""kind":["bench"]"#) {
        return Ok(None);
    }
    let start = SystemTime::now();
    let cmd = Cmd::cargo().args(["bench", "--workspace", "--benches"]);
    println!("+ {}", cmd.shown());
    cmd.run()?;
    let mut rows = Vec::new();
    collect_criterion(
        &crate::root().join("target").join("criterion"),
        start,
        &mut rows,
    )?;
    rows.sort();
    let rows: Vec<Vec<String>> = rows.into_iter().map(|(n, v)| vec![n, v]).collect();
    Ok(Some(format!(
        "Measured with `cargo xtask bench` (criterion, mean).\n\n{}",
        perfdoc::table(&["benchmark", "mean"], &rows)
    )))
}

/// Walks criterion's output for `<id>/new/estimates.json` written since
/// `since`.
fn collect_criterion(dir: &Path, since: SystemTime, rows: &mut Vec<Row>) -> Result {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let estimates = path.join("new").join("estimates.json");
        let fresh = estimates
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| t >= since);
        if fresh {
            let text = std::fs::read_to_string(&estimates)
                .map_err(|e| Error::new(format!("{}: {e}", estimates.display())))?;
            let mean = mean_ns(&text)
                .ok_or_else(|| Error::new(format!("{}: no mean estimate", estimates.display())))?;
            let base = crate::root().join("target").join("criterion");
            let id = path
                .strip_prefix(&base)
                .unwrap_or(&path)
                .display()
                .to_string();
            rows.push((id, format_ns(mean)));
        } else if path.is_dir()
            && path
                .file_name()
                .is_some_and(|n| n != "report" && n != "new" && n != "base")
        {
            collect_criterion(&path, since, rows)?;
        }
    }
    Ok(())
}

/// The mean's point estimate (ns) of a criterion `estimates.json`.
fn mean_ns(json: &str) -> Option<f64> {
    let after_mean = &json[json.find(r#""mean":"#)?..];
    let value = &after_mean[after_mean.find(r#""point_estimate":"#)? + 17..];
    let end = value.find([',', '}'])?;
    value[..end].trim().parse().ok()
}

fn format_ns(ns: f64) -> String {
    match ns {
        ns if ns < 1e3 => format!("{ns:.1} ns"),
        ns if ns < 1e6 => format!("{:.2} µs", ns / 1e3),
        ns => format!("{:.2} ms", ns / 1e6),
    }
}

/// Rewrites each section of `docs/performance.md`; a missing document or
/// marker is reported, not created (the prose is written by hand).
fn write_doc(sections: &[(String, String)]) -> Result {
    if sections.is_empty() {
        println!("nothing measured: docs/performance.md left as it is");
        return Ok(());
    }
    let path: PathBuf = crate::root().join("docs").join("performance.md");
    let Ok(mut doc) = std::fs::read_to_string(&path) else {
        println!("docs/performance.md does not exist: tables printed above, not written");
        return Ok(());
    };
    for (name, table) in sections {
        match perfdoc::replace(&doc, name, table) {
            Some(new) => doc = new,
            None => {
                let (begin, end) = perfdoc::markers(name);
                println!(
                    "docs/performance.md has no `{begin}` ... `{end}` section: [{name}] not written"
                );
            }
        }
    }
    std::fs::write(&path, doc)
        .map_err(|e| Error::new(format!("cannot write {}: {e}", path.display())))?;
    println!("rewrote the measured sections of docs/performance.md");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bench_lines_are_collected_in_order_among_other_output() {
        let t = "OpenSBI\nbench: null syscall 112\r\n[pid 1 bench] exit 0\nbench: yield round trip 380\n";
        let rows = parse_bench_lines(t).unwrap();
        assert_eq!(
            rows,
            [
                ("null syscall".into(), "112".into()),
                ("yield round trip".into(), "380".into())
            ]
        );
    }

    #[test]
    fn bench_lines_with_a_colon_and_unit_are_read_too() {
        let t = "bench: null syscall round trip (getpid, syscall): 352 instructions\n";
        let rows = parse_bench_lines(t).unwrap();
        assert_eq!(
            rows,
            [(
                "null syscall round trip (getpid, syscall)".into(),
                "352".into()
            )]
        );
    }

    #[test]
    fn a_bench_line_without_a_count_is_an_error_naming_it() {
        let err = parse_bench_lines("bench: null syscall lots\n").unwrap_err();
        assert!(
            err.to_string().contains("bench: null syscall lots"),
            "{err}"
        );
    }

    #[test]
    fn mean_point_estimate_is_read_from_criterion_json() {
        let json = r#"{"mean":{"confidence_interval":{"confidence_level":0.95,"lower_bound":10.0,"upper_bound":12.0},"point_estimate":11.25,"standard_error":0.5},"median":{"point_estimate":99.0}}"#;
        assert_eq!(mean_ns(json), Some(11.25));
    }

    #[test]
    fn durations_are_formatted_with_a_fitting_unit() {
        assert_eq!(format_ns(12.34), "12.3 ns");
        assert_eq!(format_ns(1500.0), "1.50 µs");
        assert_eq!(format_ns(2.5e6), "2.50 ms");
    }
}

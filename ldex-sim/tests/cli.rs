//! The `ldex-sim` binary: exit codes and messages.

use std::process::Command;

fn sim(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_ldex-sim"))
        .args(args)
        .output()
        .expect("ldex-sim runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn scenario_file(name: &str, text: &str) -> String {
    let dir = std::env::temp_dir().join(format!("ldex-sim-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn default_run_prints_the_three_columns_results_and_summary() {
    let (code, out, _) = sim(&[]);
    assert_eq!(code, 0);
    assert!(out.contains("OS @ boot/run (kernel mode)") && out.contains("| Hardware"));
    assert!(out.contains("Program (user mode)"));
    assert!(out.contains("killed: privileged instruction"));
    assert!(out.contains("summary: 3 processes"));
}

#[test]
fn cooperative_run_says_why_it_stopped() {
    let (code, out, _) = sim(&["--cooperative"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("stopped: no timer: process 2 never gave the CPU back"),
        "{out}"
    );
}

#[test]
fn bad_scenario_exits_2_naming_line_and_column() {
    let path = scenario_file("bad.scn", "process a\n  compute 1\n  fly 2\n");
    let (code, out, err) = sim(&["--scenario", &path]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("bad.scn:3:3: unknown op \"fly\""), "{err}");
}

#[test]
fn unknown_policy_and_bad_flags_exit_2() {
    let (code, _, err) = sim(&["--policy", "lifo"]);
    assert_eq!(code, 2);
    assert!(err.contains("valid policies"), "{err}");
    let (code, _, err) = sim(&["--quantum", "zero"]);
    assert_eq!(code, 2);
    assert!(err.contains("usage:"), "{err}");
}

#[test]
fn svg_flag_writes_a_picture_with_the_traps() {
    let path = scenario_file("run.svg", "");
    let (code, _, _) = sim(&["--svg", &path, "--trace-off"]);
    assert_eq!(code, 0);
    let svg = std::fs::read_to_string(&path).unwrap();
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    assert!(svg.contains("privileged instruction") && svg.contains("timer interrupt"));
}

#[test]
fn trace_off_prints_only_results_and_summary() {
    let (code, out, _) = sim(&["--trace-off"]);
    assert_eq!(code, 0);
    assert!(!out.contains("return-from-trap"));
    assert!(out.contains("summary:"));
}

/// A scenario of `n` processes that each compute for a tick and exit.
fn many_processes(n: usize) -> String {
    let mut text = String::from("policy fifo\n");
    for k in 0..n {
        text.push_str(&format!("process p{k}\n  compute 1\n"));
    }
    text
}

#[test]
fn a_10000_process_scenario_ends_with_all_10000_in_the_results() {
    let path = scenario_file("many.scn", &many_processes(10_000));
    let (code, out, err) = sim(&["--scenario", &path, "--trace-off"]);
    assert_eq!(code, 0, "{err}");
    let rows = out.lines().filter(|l| l.contains(" exit 0")).count();
    assert_eq!(rows, 10_000);
    assert!(
        out.contains("   1  p0 ") && out.contains("10000  p9999 "),
        "{out}"
    );
    assert!(
        out.contains("summary: 10000 processes, 10000 exited, 0 killed"),
        "{out}"
    );
}

#[test]
fn a_scenario_over_the_process_limit_exits_2_naming_the_limit() {
    let path = scenario_file("too-many.scn", &many_processes(10_001));
    let (code, out, err) = sim(&["--scenario", &path]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(
        err.contains("too-many.scn:20002:1: too many processes: a scenario holds at most 10000"),
        "{err}"
    );
}

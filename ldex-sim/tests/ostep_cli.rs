//! `ldex-sim ostep`: output format, exit codes and errors for bad input.

use std::path::PathBuf;
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ldex-sim"))
        .args(args)
        .output()
        .expect("ldex-sim runs")
}

fn public() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/ostep-public-cases.json")
        .display()
        .to_string()
}

/// Write `text` to a fresh file and run `ostep` on it.
fn run_text(name: &str, text: &str) -> (i32, String) {
    let path = std::env::temp_dir().join(format!("ldex-ostep-{}-{name}.json", std::process::id()));
    std::fs::write(&path, text).unwrap();
    let out = run(&["ostep", path.to_str().unwrap()]);
    let _ = std::fs::remove_file(&path);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The first public case with `edit` applied to its JSON.
fn edited(edit: impl FnOnce(&mut serde_json::Value)) -> String {
    let mut file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(public()).unwrap()).unwrap();
    let case = file["cases"]
        .as_array_mut()
        .unwrap()
        .first()
        .cloned()
        .unwrap();
    file["cases"] = serde_json::json!([case]);
    edit(&mut file["cases"][0]);
    file.to_string()
}

#[test]
fn public_file_passes_with_json_results_and_a_summary_line() {
    let out = run(&["ostep", &public()]);
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().next(), Some("31 passed, 0 failed"));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    assert_eq!(json["schema"], "ldex-ostep-ref/1");
    assert_eq!(json["results"].as_array().unwrap().len(), 31);
    assert_eq!(json["results"][0]["id"], "sched-001");
}

#[test]
fn a_wrong_expectation_fails_with_its_first_difference_and_exit_1() {
    let text = edited(|c| c["expected"]["completion_time"] = serde_json::json!(601));
    let (code, stderr) = run_text("wrong", &text);
    assert_eq!(code, 1);
    assert!(stderr.starts_with("0 passed, 1 failed\n"), "{stderr}");
    assert!(
        stderr.contains("sched-001: expected.completion_time: expected 601, got 600"),
        "{stderr}"
    );
}

#[test]
fn text_mode_prints_what_the_simulator_prints() {
    let out = run(&["ostep", &public(), "--text"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("  [ time 200 ] Run job 1 for 200.00 secs ( DONE at 400.00 )"));
    assert!(text.contains("  Avg  1: startTime n/a - response 0.00 - turnaround 110.00"));
    assert!(text.contains("Time        PID: 0        PID: 1           CPU           IOs"));
    assert!(text.contains("--> JOB 1 DONE at time 10"));
}

#[test]
fn not_json_is_exit_2() {
    let (code, stderr) = run_text("notjson", "{ nope");
    assert_eq!(code, 2);
    assert!(stderr.contains("not JSON"), "{stderr}");
}

#[test]
fn wrong_schema_tag_is_exit_2_naming_the_field() {
    let (code, stderr) = run_text("schema", r#"{"schema": "other/2", "cases": []}"#);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("schema: expected \"ldex-ostep-ref/1\""),
        "{stderr}"
    );
}

#[test]
fn missing_field_names_the_case_and_the_field() {
    let text = edited(|c| {
        c["input"]["jobs"][1]
            .as_object_mut()
            .unwrap()
            .remove("length");
    });
    let (code, stderr) = run_text("missing", &text);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("case sched-001: input.jobs[1].length: missing"),
        "{stderr}"
    );
}

#[test]
fn unknown_policy_lists_the_valid_names() {
    let text = edited(|c| c["input"]["policy"] = serde_json::json!("LIFO"));
    let (code, stderr) = run_text("policy", &text);
    assert_eq!(code, 2);
    assert!(
        stderr.contains(
            "case sched-001: input.policy: unknown policy \"LIFO\"; valid policies: FIFO, SJF, RR"
        ),
        "{stderr}"
    );
}

#[test]
fn unknown_simulator_lists_the_valid_names() {
    let text = edited(|c| c["simulator"] = serde_json::json!("vm.py"));
    let (code, stderr) = run_text("sim", &text);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("valid: scheduler.py, mlfq.py, process-run.py, lottery.py"),
        "{stderr}"
    );
}

#[test]
fn missing_file_or_argument_is_exit_2() {
    assert_eq!(
        run(&["ostep", "/nonexistent/ldex.json"]).status.code(),
        Some(2)
    );
    assert_eq!(run(&["ostep"]).status.code(), Some(2));
}

#[test]
fn svg_draws_one_chart_per_case_with_io_and_boosts_marked() {
    let dir = std::env::temp_dir().join(format!("ldex-ostep-svg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("chart.svg");
    let status = run(&["ostep", &public(), "--svg", out.to_str().unwrap()]).status;
    assert_eq!(status.code(), Some(0));
    let mlfq = std::fs::read_to_string(dir.join("chart-mlfq-005.svg")).unwrap();
    assert!(mlfq.starts_with("<svg"));
    assert!(mlfq.contains("<title>boost at 50</title>"));
    assert!(mlfq.contains("<title>job 1: I/O 112-114</title>"));
    assert!(mlfq.contains("<title>tick 0: job 0, priority 2</title>"));
    assert!(dir.join("chart-sched-001.svg").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_case_over_the_job_limit_is_exit_2_naming_the_limit() {
    let text = edited(|c| {
        let job = c["input"]["jobs"][0].clone();
        c["input"]["jobs"] = serde_json::Value::Array(vec![job; 10_001]);
    });
    let (code, stderr) = run_text("too-many", &text);
    assert_eq!(code, 2);
    assert!(
        stderr.contains(
            "case sched-001: input.jobs: 10001 jobs; the simulated machine holds at most 10000"
        ),
        "{stderr}"
    );
}

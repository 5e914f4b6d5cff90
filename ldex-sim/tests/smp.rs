//! The simulated machine with several CPUs: work spreads over them, the
//! output stays deterministic, a kill reaches a process on another CPU, an
//! idle CPU is woken to run a new process, and a policy that runs one
//! process at a time refuses a second CPU.

use ldex_core::proc::{Ending, KillReason};
use ldex_sim::{Report, parse, run};

fn run_text(text: &str) -> Report {
    run(&parse(text).expect("a valid scenario")).expect("a known policy")
}

/// `n` processes that each compute for `ticks` ticks, on `cpus` CPUs.
fn spinners(cpus: usize, n: usize, ticks: u64) -> String {
    let mut text = format!("cpus {cpus}\npolicy rr\nquantum 10\n");
    for i in 0..n {
        text.push_str(&format!("process P{i}\n compute {ticks}\n"));
    }
    text
}

#[test]
fn four_processes_of_100_ticks_end_by_tick_101_on_four_cpus_and_400_on_one() {
    let four = run_text(&spinners(4, 4, 100));
    assert!(four.halt.is_none(), "{:?}", four.halt);
    assert_eq!(four.results.len(), 4);
    for r in &four.results {
        assert_eq!(r.ending, Ending::Exited(0));
        assert!(r.end <= 101, "{} ended at tick {}", r.info.name, r.end);
    }
    assert!(four.ticks <= 101, "the run took {} ticks", four.ticks);
    let one = run_text(&spinners(1, 4, 100));
    assert!(one.ticks >= 400, "one CPU took only {} ticks", one.ticks);
}

#[test]
fn each_cpu_counts_its_busy_and_idle_ticks_and_the_summary_says_how_many_were_online() {
    let r = run_text(&spinners(4, 3, 50));
    let stats: Vec<_> = r.cpu_stats.iter().map(|s| s.expect("online")).collect();
    let busy: u64 = stats.iter().map(|s| s.busy).sum();
    assert_eq!(busy, 150, "{stats:?}");
    assert!(
        stats.iter().any(|s| s.idle >= 50),
        "{stats:?}: one CPU idles"
    );
    let summary = r.render_summary();
    assert!(summary.contains("cpus: 4 of 4 online"), "{summary}");
    assert!(
        summary.contains(&format!("; {} ticks;", r.ticks)),
        "{summary}"
    );
}

#[test]
fn a_run_on_four_cpus_prints_the_same_bytes_every_time() {
    let text = format!(
        "{}process io\n io 3\n compute 2\n yield\n write \"x\"\n",
        spinners(4, 5, 7)
    );
    let a = run_text(&text);
    let b = run_text(&text);
    assert_eq!(a, b);
    assert_eq!(a.timeline.render(), b.timeline.render());
    assert!(a.timeline.render().starts_with(" tick | cpu |"));
}

#[test]
fn one_cpu_prints_no_cpu_column() {
    let r = run_text(&spinners(1, 2, 3));
    assert!(r.timeline.render().starts_with(" tick | OS @"));
}

#[test]
fn a_kill_reaches_a_process_running_on_another_cpu_through_an_ipi() {
    // No timer: the spinner on CPU 0 never traps by itself, so only the
    // IPI that `kill` sends brings its CPU back into the kernel. The
    // killer, on CPU 1, kills it after 5 ticks.
    let r = run_text(
        "cpus 2\npolicy rr\ncooperative\nbound 50\nprocess spinner\n spin\nprocess killer\n compute 5\n syscall 62 1\n",
    );
    assert!(r.halt.is_none(), "{:?}", r.halt);
    let spinner = r.results.iter().find(|p| p.info.name.as_str() == "spinner");
    let spinner = spinner.expect("the spinner ended");
    assert_eq!(spinner.ending, Ending::Killed(KillReason::Requested));
    assert!(spinner.end <= 6, "killed at tick {}", spinner.end);
    assert!(r.counters.ipis >= 1);
}

#[test]
fn an_idle_cpu_is_woken_by_an_ipi_to_run_a_process_that_arrives() {
    // No timer: only the IPI can wake CPU 1 when `late` arrives (on CPU 0,
    // which is busy with `long`).
    let r = run_text(
        "cpus 2\npolicy fifo\ncooperative\nbound 100\nprocess long\n compute 40\nprocess late arrival=5\n compute 3\n",
    );
    assert!(r.halt.is_none(), "{:?}", r.halt);
    let late = r.results.iter().find(|p| p.info.name.as_str() == "late");
    let late = late.expect("late ended");
    assert!(late.end <= 9, "late ended at tick {}", late.end);
}

#[test]
fn a_policy_that_runs_one_process_at_a_time_refuses_a_second_cpu() {
    for policy in ["mlfq", "stcf", "sjf", "lottery", "stride", "cooperative"] {
        let r = run_text(&format!("cpus 2\npolicy {policy}\nprocess a\n compute 3\n"));
        let halt = r.halt.expect("the run stopped").0;
        assert_eq!(
            halt,
            format!(
                "CPU 1 not started: policy {policy} runs one process at a time: it cannot use a second CPU"
            ),
        );
    }
}

//! The header line of a run.

use crate::scenario::Settings;

/// What ran, with which settings.
pub fn header(name: &str, s: &Settings) -> String {
    let mode = if s.preemptive {
        "preemptive (timer interrupt every tick)".to_string()
    } else {
        format!(
            "cooperative (no timer; the simulator stops a process after {} ticks without a trap)",
            s.bound
        )
    };
    let limit = match s.cpu_limit {
        Some(t) => format!("CPU limit {t} ticks"),
        None => "no CPU limit".into(),
    };
    let cpus = if s.cpus > 1 {
        format!("; {} CPUs", s.cpus)
    } else {
        String::new()
    };
    format!(
        "ldex-sim: scenario {name}; policy {}, quantum {} ticks; {mode}; {limit}{cpus}\n",
        s.policy, s.quantum
    )
}

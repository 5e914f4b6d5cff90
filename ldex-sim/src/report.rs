//! What a run produced: the timeline, each process's result and a summary.

use std::collections::HashMap;
use std::fmt::Write;

use ldex_core::Pid;
use ldex_core::kernel::CpuStats;

use crate::machine::{Counters, Halt, Machine};
use crate::os::{Launch, ProcResult, Refused};
use crate::scenario::Settings;
use crate::timeline::Timeline;

/// The outcome of one run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// The settings it ran with.
    pub settings: Settings,
    /// The protocol's timeline.
    pub timeline: Timeline,
    /// Who ran in each tick on each CPU (`[cpu][tick]`; `None`: idle).
    pub schedules: Vec<Vec<Option<Pid>>>,
    /// Each CPU's busy and idle ticks as the kernel counted them (`None`:
    /// the CPU never came online).
    pub cpu_stats: Vec<Option<CpuStats>>,
    /// The processes created, in order.
    pub launches: Vec<Launch>,
    /// The processes the kernel refused to create, in order.
    pub refused: Vec<Refused>,
    /// The processes that ended, in order.
    pub results: Vec<ProcResult>,
    /// Trap counts.
    pub counters: Counters,
    /// Simulated ticks in all.
    pub ticks: u64,
    /// Why the machine stopped early, if it did.
    pub halt: Option<Halt>,
}

impl Report {
    /// Collect the report from a machine whose run is over.
    pub fn new(
        settings: Settings,
        machine: &Machine,
        launches: Vec<Launch>,
        refused: Vec<Refused>,
        results: Vec<ProcResult>,
        cpu_stats: Vec<Option<CpuStats>>,
    ) -> Report {
        let st = machine.state();
        Report {
            settings,
            timeline: st.timeline.clone(),
            schedules: st.schedules(),
            cpu_stats,
            launches,
            refused,
            results,
            counters: st.counters,
            ticks: st.now(),
            halt: st.halt_reason().cloned(),
        }
    }

    /// The result of each launch, in launch order (`None`: still alive when
    /// the run stopped).
    pub fn outcomes(&self) -> Vec<(&Launch, Option<&ProcResult>)> {
        // A pid names one process of a run: a scenario has at most
        // MAX_PROCS processes, so no slot's numbers come near wrapping.
        let by_pid: HashMap<Pid, &ProcResult> =
            self.results.iter().map(|r| (r.info.pid, r)).collect();
        self.launches
            .iter()
            .map(|l| (l, by_pid.get(&l.pid).copied()))
            .collect()
    }

    /// Ticks the machine ran `launch`'s process in user mode (measured by
    /// the machine, so it is right without a timer too).
    pub fn user_ticks(&self, launch: &Launch, end: Option<u64>) -> u64 {
        let end = end.unwrap_or(self.ticks) as usize;
        let from = (launch.tick as usize).min(end);
        self.schedules
            .iter()
            .map(|schedule| {
                schedule[from.min(schedule.len())..end.min(schedule.len())]
                    .iter()
                    .filter(|p| **p == Some(launch.pid))
                    .count() as u64
            })
            .sum()
    }

    /// The per-process table.
    pub fn render_results(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:>4}  {:<12} {:<40} {:>9} {:>9} {:>8}",
            "pid", "name", "result", "cpu ticks", "preempted", "syscalls"
        );
        // One pass over the schedule for every process's user ticks (what
        // `user_ticks` counts, since a pid names one process of a run).
        let mut ticks: HashMap<Pid, u64> = HashMap::new();
        for pid in self.schedules.iter().flatten().flatten() {
            *ticks.entry(*pid).or_default() += 1;
        }
        for (launch, result) in self.outcomes() {
            let cpu = ticks.get(&launch.pid).copied().unwrap_or(0);
            let (text, pre, sys) = match result {
                Some(r) => (r.ending.to_string(), r.info.preemptions, r.info.syscalls),
                None => ("not finished when the simulator stopped".into(), 0, 0),
            };
            let line = if result.is_some() {
                format!(
                    "{:>4}  {:<12} {:<40} {:>9} {:>9} {:>8}",
                    launch.pid, launch.name, text, cpu, pre, sys
                )
            } else {
                format!("{:>4}  {:<12} {}", launch.pid, launch.name, text)
            };
            let _ = writeln!(out, "{}", line.trim_end());
        }
        for r in &self.refused {
            let _ = writeln!(out, "{:>4}  {:<12} {}", "-", r.name, r.reason());
        }
        out
    }

    /// The one-paragraph summary.
    pub fn render_summary(&self) -> String {
        let exited = self
            .results
            .iter()
            .filter(|r| matches!(r.ending, ldex_core::proc::Ending::Exited(_)))
            .count();
        let killed = self.results.len() - exited;
        let c = &self.counters;
        let mut out = format!(
            "summary: {} processes, {exited} exited, {killed} killed; {} ticks; {} traps from user mode \
             ({} system calls, {} timer, {} device, {} faults); {} context switches\n",
            self.launches.len(),
            self.ticks,
            c.traps,
            c.syscalls,
            c.timer,
            c.devices,
            c.faults,
            c.switches,
        );
        if !self.refused.is_empty() {
            let _ = writeln!(out, "not created: {} (see the results)", self.refused.len());
        }
        if self.settings.cpus > 1 {
            let online = self.cpu_stats.iter().flatten().count();
            let _ = write!(
                out,
                "cpus: {online} of {} online, {} inter-processor interrupts; busy/idle ticks:",
                self.settings.cpus, c.ipis
            );
            for (id, stats) in self.cpu_stats.iter().enumerate() {
                match stats {
                    Some(s) => {
                        let _ = write!(out, " cpu{id} {}/{}", s.busy, s.idle);
                    }
                    None => {
                        let _ = write!(out, " cpu{id} offline");
                    }
                }
            }
            out.push('\n');
        }
        if let Some(Halt(why)) = &self.halt {
            let _ = writeln!(out, "stopped: {why}");
        }
        out
    }
}

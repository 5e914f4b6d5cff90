//! The protocol's timeline in OSTEP's three columns.
//!
//! Every entry is a protocol [`Event`] (named by ldex-core, exactly as the
//! example kernels print them), something the program did, or console
//! output. The renderer puts each in its column: *OS @ run (kernel mode)*,
//! *Hardware*, *Program (user mode)*, one row each, with the tick.
//!
//! One fold keeps the picture readable: a timer interrupt that the kernel
//! handles and returns from without switching (the policy let the process
//! keep the CPU) prints as one Hardware row, and so does a run of idle
//! ticks. Everything that switches, kills or exits prints in full.
//!
//! On a machine of several CPUs every entry also records its CPU, and the
//! table gains a `cpu` column after the tick; the folds join only entries
//! of one CPU. With one CPU there is no such column, so the output is what
//! it always was.

use std::fmt::Write;

use ldex_core::trace::{Column, Event};
use ldex_core::{Pid, TrapCause};

/// One thing on the timeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    /// A protocol step.
    Core(Event),
    /// What the program in user mode did.
    Program {
        /// The process, if known.
        pid: Option<Pid>,
        /// What it did.
        text: String,
    },
    /// Text a process wrote to the console.
    Output {
        /// The writer.
        pid: Pid,
        /// The text.
        text: String,
    },
}

/// The recorded timeline of one run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Timeline {
    entries: Vec<(u64, Entry)>,
    /// The CPU of each entry.
    cpus: Vec<usize>,
    /// CPUs of the machine (0 counts as 1).
    machine_cpus: usize,
}

/// A rendered row.
struct Row {
    tick: u64,
    cpu: usize,
    column: Column,
    text: String,
}

impl Timeline {
    /// The machine has `cpus` CPUs: above 1, the table shows a `cpu`
    /// column.
    pub fn set_cpus(&mut self, cpus: usize) {
        self.machine_cpus = cpus;
    }

    /// Record `entry` at `tick`, on CPU `cpu`.
    pub fn push(&mut self, tick: u64, cpu: usize, entry: Entry) {
        self.entries.push((tick, entry));
        self.cpus.push(cpu);
    }

    /// The CPU of each entry, in the order of [`Timeline::entries`].
    pub fn cpus(&self) -> &[usize] {
        &self.cpus
    }

    /// The index of the `k`-th entry from `i` on (`k = 0`: `i` itself)
    /// that belongs to `i`'s CPU and is not `done` yet.
    fn nth_of_cpu(&self, i: usize, k: usize, done: &[bool]) -> Option<usize> {
        let cpu = *self.cpus.get(i)?;
        (i..self.entries.len())
            .filter(|&j| self.cpus[j] == cpu && !done[j])
            .nth(k)
    }

    /// The recorded entries.
    pub fn entries(&self) -> &[(u64, Entry)] {
        &self.entries
    }

    /// A timer trap from `pid` that returns to `pid` at once: the indices
    /// of that run of entries (of `i`'s CPU) starting at `i`, if there is
    /// one.
    fn quiet_tick(&self, i: usize, done: &[bool]) -> Option<(Vec<usize>, Pid)> {
        let at: Vec<usize> = (0..7).map_while(|k| self.nth_of_cpu(i, k, done)).collect();
        let e = |k: usize| at.get(k).map(|&j| &self.entries[j].1);
        let Some(Entry::Core(Event::Trap {
            pid: Some(pid),
            cause: TrapCause::Timer,
        })) = e(0)
        else {
            return None;
        };
        let p = *pid;
        let expected = [
            Event::SaveRegs { pid: p },
            Event::ToKernelMode,
            Event::HandleTrap {
                pid: p,
                cause: TrapCause::Timer,
            },
            Event::ReturnFromTrap { pid: p },
            Event::RestoreRegs { pid: p },
        ];
        for (k, want) in expected.iter().enumerate() {
            if e(k + 1) != Some(&Entry::Core(*want)) {
                return None;
            }
        }
        match e(6) {
            Some(Entry::Core(Event::ToUserMode { pid, .. })) if *pid == p => Some((at, p)),
            _ => None,
        }
    }

    /// An idle wait and the kernel-mode timer tick that ends it: their
    /// indices (of `i`'s CPU), if the entries from `i` on are that.
    fn idle_tick(&self, i: usize, done: &[bool]) -> Option<[usize; 2]> {
        let wait = self.nth_of_cpu(i, 0, done)?;
        let trap = self.nth_of_cpu(i, 1, done)?;
        (self.entries[wait].1 == Entry::Core(Event::Idle)
            && self.entries[trap].1
                == Entry::Core(Event::KernelTrap {
                    cause: TrapCause::Timer,
                }))
        .then_some([wait, trap])
    }

    fn rows(&self) -> Vec<Row> {
        let mut rows = Vec::new();
        let mut done = vec![false; self.entries.len()];
        let mut i = 0;
        while i < self.entries.len() {
            if done[i] {
                i += 1;
                continue;
            }
            let tick = self.entries[i].0;
            let cpu = self.cpus[i];
            if let Some((run, pid)) = self.quiet_tick(i, &done) {
                rows.push(Row {
                    tick,
                    cpu,
                    column: Column::Hardware,
                    text: format!("timer interrupt: P{pid} keeps the CPU"),
                });
                for j in run {
                    done[j] = true;
                }
                continue;
            }
            if self.idle_tick(i, &done).is_some() {
                let mut n = 0;
                while let Some(Some(next)) = self
                    .nth_of_cpu(i, 0, &done)
                    .map(|j| self.idle_tick(j, &done))
                {
                    for j in next {
                        done[j] = true;
                    }
                    n += 1;
                }
                let text = format!(
                    "idle: wait for interrupt ({n} timer tick{})",
                    if n == 1 { "" } else { "s" }
                );
                rows.push(Row {
                    tick,
                    cpu,
                    column: Column::Os,
                    text,
                });
                continue;
            }
            let (column, text) = match &self.entries[i].1 {
                Entry::Core(event) => (event.column(), event.to_string()),
                Entry::Program {
                    pid: Some(pid),
                    text,
                } => (Column::Program, format!("P{pid}: {text}")),
                Entry::Program { pid: None, text } => (Column::Program, text.clone()),
                Entry::Output { pid, text } => (Column::Os, format!("console <- P{pid}: {text:?}")),
            };
            rows.push(Row {
                tick,
                cpu,
                column,
                text,
            });
            done[i] = true;
            i += 1;
        }
        rows
    }

    /// The timeline as a three-column table.
    pub fn render(&self) -> String {
        const HEAD: [&str; 3] = [
            "OS @ boot/run (kernel mode)",
            "Hardware",
            "Program (user mode)",
        ];
        let rows = self.rows();
        let width = |c: Column, head: &str| {
            rows.iter()
                .filter(|r| r.column == c)
                .map(|r| r.text.chars().count())
                .max()
                .unwrap_or(0)
                .max(head.len())
        };
        let (w_os, w_hw) = (width(Column::Os, HEAD[0]), width(Column::Hardware, HEAD[1]));
        // The `cpu` column, only on a machine of several CPUs.
        let cpu_cell = |cpu: &dyn std::fmt::Display| {
            if self.machine_cpus > 1 {
                format!("{cpu:>3} | ")
            } else {
                String::new()
            }
        };
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:>5} | {}{:<w_os$} | {:<w_hw$} | {}",
            "tick",
            cpu_cell(&"cpu"),
            HEAD[0],
            HEAD[1],
            HEAD[2]
        );
        let _ = writeln!(
            out,
            "{}-+-{}{}-+-{}-+-{}",
            "-".repeat(5),
            if self.machine_cpus > 1 { "----+-" } else { "" },
            "-".repeat(w_os),
            "-".repeat(w_hw),
            "-".repeat(HEAD[2].len())
        );
        for r in &rows {
            let cells = match r.column {
                Column::Os => [r.text.as_str(), "", ""],
                Column::Hardware => ["", r.text.as_str(), ""],
                Column::Program => ["", "", r.text.as_str()],
            };
            let line = format!(
                "{:>5} | {}{:<w_os$} | {:<w_hw$} | {}",
                r.tick,
                cpu_cell(&r.cpu),
                cells[0],
                cells[1],
                cells[2]
            );
            let _ = writeln!(out, "{}", line.trim_end());
        }
        out
    }
}

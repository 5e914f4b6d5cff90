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
}

/// A rendered row.
struct Row {
    tick: u64,
    column: Column,
    text: String,
}

impl Timeline {
    /// Record `entry` at `tick`.
    pub fn push(&mut self, tick: u64, entry: Entry) {
        self.entries.push((tick, entry));
    }

    /// The recorded entries.
    pub fn entries(&self) -> &[(u64, Entry)] {
        &self.entries
    }

    /// A timer trap from `pid` that returns to `pid` at once: the length of
    /// that run of entries starting at `i`, if there is one.
    fn quiet_tick(&self, i: usize) -> Option<(usize, Pid)> {
        let e = |k: usize| self.entries.get(i + k).map(|(_, e)| e);
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
            Some(Entry::Core(Event::ToUserMode { pid, .. })) if *pid == p => Some((7, p)),
            _ => None,
        }
    }

    /// An idle wait and the kernel-mode timer tick that ends it.
    fn idle_tick(&self, i: usize) -> bool {
        let e = |k: usize| self.entries.get(i + k).map(|(_, e)| e);
        e(0) == Some(&Entry::Core(Event::Idle))
            && e(1)
                == Some(&Entry::Core(Event::KernelTrap {
                    cause: TrapCause::Timer,
                }))
    }

    fn rows(&self) -> Vec<Row> {
        let mut rows = Vec::new();
        let mut i = 0;
        while i < self.entries.len() {
            let tick = self.entries[i].0;
            if let Some((len, pid)) = self.quiet_tick(i) {
                rows.push(Row {
                    tick,
                    column: Column::Hardware,
                    text: format!("timer interrupt: P{pid} keeps the CPU"),
                });
                i += len;
                continue;
            }
            if self.idle_tick(i) {
                let mut n = 0;
                while self.idle_tick(i) {
                    i += 2;
                    n += 1;
                }
                let text = format!(
                    "idle: wait for interrupt ({n} timer tick{})",
                    if n == 1 { "" } else { "s" }
                );
                rows.push(Row {
                    tick,
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
            rows.push(Row { tick, column, text });
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
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:>5} | {:<w_os$} | {:<w_hw$} | {}",
            "tick", HEAD[0], HEAD[1], HEAD[2]
        );
        let _ = writeln!(
            out,
            "{}-+-{}-+-{}-+-{}",
            "-".repeat(5),
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
                "{:>5} | {:<w_os$} | {:<w_hw$} | {}",
                r.tick, cells[0], cells[1], cells[2]
            );
            let _ = writeln!(out, "{}", line.trim_end());
        }
        out
    }
}

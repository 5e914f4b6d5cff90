//! The run as an SVG picture: one row per process, a bar for every tick it
//! ran, and a mark for every trap (blue: timer, green: system call, red:
//! fault), with a cross where a process was killed.

use std::fmt::Write;

use ldex_core::trace::Event;
use ldex_core::{Pid, TrapCause};

use crate::report::Report;
use crate::timeline::Entry;

const TICK: u64 = 12;
const ROW: u64 = 28;
const LEFT: u64 = 130;
const TOP: u64 = 30;

fn row_of(report: &Report, pid: Pid, tick: u64) -> Option<usize> {
    report
        .launches
        .iter()
        .rposition(|l| l.pid == pid && l.tick <= tick)
}

/// A bar for each run of ticks in which one process ran on the CPU whose
/// schedule this is. (A process runs on one CPU at a time, so the bars of
/// several CPUs never overlap in its row.)
fn bars(s: &mut String, report: &Report, schedule: &[Option<Pid>]) {
    let mut t = 0;
    while t < schedule.len() {
        let who = schedule[t];
        let start = t;
        while t < schedule.len() && schedule[t] == who {
            t += 1;
        }
        if let Some(row) = who.and_then(|p| row_of(report, p, start as u64)) {
            let _ = writeln!(
                s,
                r##"<rect x="{}" y="{}" width="{}" height="16" fill="#8ab4f8"><title>P{} ran ticks {start}..{t}</title></rect>"##,
                LEFT + start as u64 * TICK,
                TOP + row as u64 * ROW + 5,
                (t - start) as u64 * TICK,
                who.map_or(0, Pid::get),
            );
        }
    }
}

/// Draw `report`.
pub fn render(report: &Report) -> String {
    let ticks = report.ticks.max(1);
    let width = LEFT + ticks * TICK + 20;
    let height = TOP + report.launches.len() as u64 * ROW + 30;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="monospace" font-size="12">"#
    );
    let _ = writeln!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
    for (i, l) in report.launches.iter().enumerate() {
        let y = TOP + i as u64 * ROW;
        let _ = writeln!(
            s,
            r#"<text x="4" y="{}">P{} {}</text>"#,
            y + 17,
            l.pid,
            l.name
        );
        let _ = writeln!(
            s,
            r##"<line x1="{LEFT}" y1="{0}" x2="{1}" y2="{0}" stroke="#ddd"/>"##,
            y + ROW - 2,
            width - 20
        );
    }
    for schedule in &report.schedules {
        bars(&mut s, report, schedule);
    }
    for (tick, e) in report.timeline.entries() {
        let x = LEFT + tick * TICK;
        match e {
            Entry::Core(Event::Trap {
                pid: Some(pid),
                cause,
            }) => {
                let Some(row) = row_of(report, *pid, *tick) else {
                    continue;
                };
                let color = match cause {
                    TrapCause::Timer => "#1a73e8",
                    TrapCause::Syscall => "#188038",
                    TrapCause::External(_) => "#9334e6",
                    _ => "#d93025",
                };
                let y = TOP + row as u64 * ROW;
                let _ = writeln!(
                    s,
                    r#"<path d="M{x} {y} l-4 -6 h8 z" fill="{color}"><title>tick {tick}: {cause}</title></path>"#,
                    y = y + 4
                );
            }
            Entry::Core(Event::Kill { pid, reason }) => {
                let Some(row) = row_of(report, *pid, *tick) else {
                    continue;
                };
                let y = TOP + row as u64 * ROW + 13;
                let _ = writeln!(
                    s,
                    r##"<text x="{}" y="{}" fill="#d93025" font-weight="bold">✕<title>killed: {reason}</title></text>"##,
                    x + 2,
                    y + 5
                );
            }
            _ => {}
        }
    }
    let axis = TOP + report.launches.len() as u64 * ROW + 16;
    for tick in (0..=ticks).step_by(5) {
        let _ = writeln!(
            s,
            r##"<text x="{}" y="{axis}" fill="#555">{tick}</text>"##,
            LEFT + tick * TICK
        );
    }
    let _ = writeln!(s, "</svg>");
    s
}

//! `--svg`: a case's schedule as a Gantt chart, one row per job: a bar for
//! every tick it ran (shaded by MLFQ priority where there is one), a grey
//! band while it waited for I/O, and a dashed line at every boost.

use std::fmt::Write;

use super::record::{Log, What};

const LEFT: u64 = 70;
const TOP: u64 = 30;
const ROW: u64 = 24;

/// Draw `jobs` rows of the log up to time `end`, with `boosts` marked.
pub fn render(jobs: usize, log: &Log, end: u64, boosts: &[u64]) -> String {
    let tick = (1200 / end.max(1)).clamp(2, 16);
    let width = LEFT + end * tick + 20;
    let height = TOP + jobs as u64 * ROW + 30;
    let x = |t: u64| LEFT + t * tick;
    let y = |j: usize| TOP + j as u64 * ROW;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="monospace" font-size="12">"#
    );
    let _ = writeln!(
        s,
        r#"<rect width="{width}" height="{height}" fill="white"/>"#
    );
    for j in 0..jobs {
        let _ = writeln!(s, r#"<text x="8" y="{}">job {j}</text>"#, y(j) + 15);
    }
    let mut started: Vec<Option<u64>> = vec![None; jobs];
    for &(t, what) in &log.events {
        match what {
            What::IoStart(j) if j < jobs => started[j] = Some(t),
            What::IoDone(j) if j < jobs => {
                if let Some(b) = started[j].take() {
                    let _ = writeln!(
                        s,
                        r##"<rect x="{}" y="{}" width="{}" height="{}" fill="#ccc"><title>job {j}: I/O {b}-{t}</title></rect>"##,
                        x(b),
                        y(j) + 8,
                        (t - b) * tick,
                        ROW - 16
                    );
                }
            }
            _ => {}
        }
    }
    for (t, slot) in log.ticks.iter().enumerate() {
        if let Some((j, prio)) = *slot {
            let light = 30 + 12 * u64::from(prio.unwrap_or(2).min(4));
            let _ = writeln!(
                s,
                r#"<rect x="{}" y="{}" width="{tick}" height="{}" fill="hsl(215,70%,{light}%)"><title>tick {t}: job {j}{}</title></rect>"#,
                x(t as u64),
                y(j) + 4,
                ROW - 8,
                prio.map(|p| format!(", priority {p}")).unwrap_or_default()
            );
        }
    }
    for &b in boosts {
        let _ = writeln!(
            s,
            r##"<line x1="{0}" y1="{1}" x2="{0}" y2="{2}" stroke="#d33" stroke-dasharray="4 3"><title>boost at {b}</title></line>"##,
            x(b),
            TOP - 10,
            height - 20
        );
    }
    let _ = writeln!(
        s,
        r#"<text x="{LEFT}" y="{}">0</text><text x="{}" y="{}" text-anchor="end">{end}</text>"#,
        height - 6,
        x(end),
        height - 6
    );
    s.push_str("</svg>\n");
    s
}

//! `cargo xtask bench-qemu <arch>` and `cargo xtask bench`.
//!
//! `bench-qemu` boots the arch's bench kernel under
//! `-icount shift=0,sleep=off`, which makes guest instruction counts exactly
//! repeatable, and collects the lines the kernel prints as
//! `bench: NAME INSTRUCTIONS`. `bench` runs the host's criterion benches
//! ([`host`]), `bench-qemu` for every arch, the simulator's speed ([`sim`])
//! and the policy benches, then rewrites every table of
//! `docs/performance.md` (see [`crate::perfdoc`]): each row of the document
//! is measured by that one run.

mod host;
mod profile;
mod sim;

use crate::arches::Outcome;
use crate::arches::{self, Arch, Bench};
use crate::boot::{self, Source};
use crate::cmd::{Cmd, Error, Result, on_path};
use crate::perfdoc;
use crate::smp;
use std::path::PathBuf;
use std::time::{Duration, Instant};

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
    measure(arch, bench, "bench")
}

/// Boots `arch`'s OSTEP homework, if it has one, and returns its `bench:`
/// lines (virtual nanoseconds, one per guest instruction) in order.
pub fn homework(arch: &Arch) -> Result<Option<Vec<Row>>> {
    arch.homework
        .as_ref()
        .map(|bench| measure(arch, bench, "homework"))
        .transpose()
}

/// Boots `bench` of `arch` under `-icount`; its `bench:` lines in order.
fn measure(arch: &Arch, bench: &Bench, label: &str) -> Result<Vec<Row>> {
    let source = Source::Spec(bench.initrd);
    let prepared = boot::prepare(arch, bench.kernel_features, source, label)?;
    let args: Vec<&str> = bench.qemu_args.iter().chain(ICOUNT).copied().collect();
    let timeout = Some(Duration::from_secs(bench.timeout_secs));
    let ended = prepared.run(arch, bench.cmdline, &args, timeout).run()?;
    boot::judge(&ended.verdict, Outcome::Success, arch.exit)
        .map_err(|why| Error::new(format!("{} {label} boot failed: {why}", arch.name)))?;
    let rows = parse_bench_lines(&ended.transcript)?;
    if rows.is_empty() {
        return Err(Error::new(format!(
            "{} {label} boot printed no `bench: NAME INSTRUCTIONS` line",
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

/// `cargo xtask bench-qemu <arch>`: prints the table; with `--profile`,
/// each round trip's instructions by function instead ([`profile`]).
pub fn qemu_main(arch_name: &str, profile: bool) -> Result {
    let arch = arches::find(arch_name)?;
    if profile {
        return profile::main(arch);
    }
    let rows = qemu(arch)?;
    println!("\n{}", qemu_table(arch, &rows));
    if let Some(rows) = homework(arch)? {
        println!("\n{}", homework_table(&rows));
    }
    if smp::ARCHES.contains(&arch.name) {
        println!("\n{}", smp_table(&[(arch, smp::one_and_four(arch)?)]));
    }
    Ok(())
}

/// The SMP rows: elapsed ticks of four CPU-bound processes on 1 and on 4
/// CPUs, per arch (see [`crate::smp`]).
fn smp_table(rows: &[(&Arch, (u64, u64))]) -> String {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|(arch, (one, four))| {
            vec![
                arch.name.to_owned(),
                one.to_string(),
                four.to_string(),
                format!("{}%", four * 100 / (*one).max(1)),
            ]
        })
        .collect();
    perfdoc::table(
        &[
            "4 spinners, cpulimit=50",
            "elapsed ticks on 1 CPU",
            "on 4 CPUs",
            "4 / 1",
        ],
        &rows,
    )
}

/// The homework's figures: virtual nanoseconds, which `-icount shift=0`
/// makes guest instructions.
fn homework_table(rows: &[Row]) -> String {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|(name, ns)| {
            let name = name.strip_prefix("homework ").unwrap_or(name);
            vec![name.to_owned(), ns.clone()]
        })
        .collect();
    perfdoc::table(&["measurement", "virtual ns (= guest instructions)"], &rows)
}

/// The issue's targets in guest instructions: (arch name prefix, a word of
/// the measurement's name, at most). The first match counts.
const QEMU_TARGETS: &[(&str, &str, u64)] = &[
    ("x86_64", "int 0x80", 110),
    ("x86_64", "syscall", 100),
    ("x86_64", "yield", 300),
    ("riscv", "syscall", 130),
    ("riscv", "yield", 400),
    ("aarch64", "syscall", 130),
    ("aarch64", "yield", 400),
];

/// The target of `measurement` on `arch`, if the issue sets one.
fn qemu_target(arch: &str, measurement: &str) -> Option<u64> {
    QEMU_TARGETS
        .iter()
        .find(|(a, word, _)| arch.starts_with(a) && measurement.contains(word))
        .map(|&(_, _, most)| most)
}

fn qemu_table(arch: &Arch, rows: &[Row]) -> String {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|(name, count)| {
            let target = match (qemu_target(arch.name, name), count.parse::<u64>()) {
                (Some(most), Ok(n)) => format!("≤ {most}{}", if n <= most { " ✓" } else { "" }),
                _ => "–".to_owned(),
            };
            vec![name.clone(), count.clone(), target]
        })
        .collect();
    perfdoc::table(&["measurement", "guest instructions", "target"], &rows)
}

/// `cargo xtask bench`: every benchmark, then the document. Each section
/// of `docs/performance.md` gets the date and the command that measured it.
pub fn main() -> Result {
    let started = Instant::now();
    let date = today()?;
    let stamp = |command: &str, table: String| stamped(&date, "bench", command, &table);
    let times = host::TIMES.join(" ");
    let mut sections = vec![(
        "host-swtch".to_owned(),
        stamp(
            &format!("`cargo bench -p ldex-bench --bench swtch -- {times}`"),
            host::swtch()?,
        ),
    )];
    // The starter kernels register no bench boot: they are not measured.
    for arch in arches::all().filter(|arch| arch.bench.is_some()) {
        if !on_path(arch.qemu.binary) {
            return Err(Error::new(format!(
                "{} is not installed (install with: {})",
                arch.qemu.binary,
                crate::QEMU_INSTALL_HINT
            )));
        }
        let table = qemu_table(arch, &qemu(arch)?);
        let command = format!(
            "`cargo xtask bench-qemu {}`, QEMU `-icount shift=0,sleep=off`",
            arch.name
        );
        sections.push((format!("qemu-{}", arch.name), stamp(&command, table)));
        if let Some(rows) = homework(arch)? {
            let table = homework_table(&rows);
            sections.push((format!("homework-{}", arch.name), stamp(&command, table)));
        }
    }
    let smp_rows = arches::all()
        .filter(|arch| smp::ARCHES.contains(&arch.name))
        .map(|arch| Ok((arch, smp::one_and_four(arch)?)))
        .collect::<Result<Vec<_>>>()?;
    sections.push((
        "smp".to_owned(),
        stamp(
            "`cargo xtask bench-qemu ARCH` (its SMP row; QEMU `-smp 1` and `-smp 4`, no `-icount`)",
            smp_table(&smp_rows),
        ),
    ));
    sections.push(("sim".to_owned(), stamp(sim::COMMAND, sim::measure()?)));
    sections.push((
        "policies".to_owned(),
        stamp(
            &format!(
                "`cargo bench -p ldex-bench --bench policies -- {times}`, then \
                 `cargo run -p ldex-bench --bin perf-table`"
            ),
            host::policies()?,
        ),
    ));
    let minutes = started.elapsed().as_secs_f64() / 60.0;
    sections.push((
        "duration".to_owned(),
        format!("This run of `cargo xtask bench` took {minutes:.1} minutes."),
    ));
    for (name, table) in &sections {
        println!("\n[{name}]\n{table}");
    }
    write_doc(&sections)
}

/// Today's date (UTC), for the stamps.
fn today() -> Result<String> {
    Ok(Cmd::new("date")
        .args(["-u", "+%Y-%m-%d"])
        .read()?
        .trim()
        .to_owned())
}

/// A measured table with the date and the commands that measured it.
fn stamped(date: &str, task: &str, command: &str, table: &str) -> String {
    format!("Measured on {date} by `cargo xtask {task}` ({command}):\n\n{table}")
}

/// `cargo xtask bench-sim`: measures the simulator's speed and rewrites
/// only its section of `docs/performance.md`.
pub fn sim_main() -> Result {
    let table = stamped(&today()?, "bench-sim", sim::COMMAND, &sim::measure()?);
    println!("\n[sim]\n{table}");
    write_doc(&[("sim".to_owned(), table)])
}

/// Rewrites each section of `docs/performance.md`; a missing marker is an
/// error naming it (the prose around the tables is written by hand).
fn write_doc(sections: &[(String, String)]) -> Result {
    let path: PathBuf = crate::root().join("docs").join("performance.md");
    let mut doc = std::fs::read_to_string(&path)
        .map_err(|e| Error::new(format!("cannot read {}: {e}", path.display())))?;
    for (name, table) in sections {
        doc = perfdoc::replace(&doc, name, table).ok_or_else(|| {
            let (begin, end) = perfdoc::markers(name);
            Error::new(format!(
                "{} has no `{begin}` ... `{end}` section for [{name}]",
                path.display()
            ))
        })?;
    }
    std::fs::write(&path, doc)
        .map_err(|e| Error::new(format!("cannot write {}: {e}", path.display())))?;
    println!("rewrote the measured sections of {}", path.display());
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
    fn qemu_targets_pick_the_issue_bound_of_each_arch_and_measurement() {
        let x = "x86_64";
        assert_eq!(
            qemu_target(x, "null syscall round trip, int 0x80"),
            Some(110)
        );
        assert_eq!(
            qemu_target(x, "null syscall round trip, syscall"),
            Some(100)
        );
        assert_eq!(qemu_target(x, "yield round trip"), Some(300));
        assert_eq!(
            qemu_target("riscv32", "null syscall round trip (getpid, ecall)"),
            Some(130)
        );
        assert_eq!(
            qemu_target("riscv64", "yield round trip between two processes"),
            Some(400)
        );
        assert_eq!(
            qemu_target("riscv64", "timer interrupt, entry to exit"),
            None
        );
    }
}

//! `cargo xtask fuzz [--seconds N] [TARGET...]`: AFL++ on the parsers of
//! outside input, through cargo-afl.
//!
//! The targets are those of the `fuzz/` workspace (ldex-fuzz): one per
//! directory of `fuzz/corpus/`, which holds that target's seeds. The
//! harness is built once with `cargo afl build --release`; then each target
//! gets its own AFL++ session for N seconds, always starting afresh from the
//! seeds, in `fuzz/target/afl/TARGET/`. Afterwards one line per target says
//! how many inputs AFL++ tried and what it saved. Any crash fails the run
//! and names the saved inputs and the command that replays one; every crash
//! becomes a named test in `fuzz/tests/regressions.rs`, its input under
//! `fuzz/regressions/TARGET/`.
//!
//! `cargo xtask test` runs [`smoke`]: the harness's own tests (every seed
//! and past crash replayed without AFL++), its clippy, and a few seconds of
//! AFL++ per target.

use crate::cmd::{Cmd, Error, Result};
use crate::test::Done;
use std::path::{Path, PathBuf};

/// Seconds per target of `cargo xtask fuzz` without `--seconds`.
pub const DEFAULT_SECONDS: u64 = 60;
/// Seconds per target in `cargo xtask test`.
const SMOKE_SECONDS: u64 = 3;
/// AFL++'s limit on one input, in ms: generous, so a loaded machine does
/// not make a slow input look like a hang.
const EXEC_TIMEOUT_MS: &str = "500";
/// How to install cargo-afl and build the AFL++ it ships (once per rustc
/// version), as `.ci/run` does.
pub const INSTALL_HINT: &str = "cargo install cargo-afl --locked && cargo afl config --build";

/// The fuzz workspace.
fn dir() -> PathBuf {
    crate::root().join("fuzz")
}

/// The targets: the directories of `fuzz/corpus/`, sorted.
pub fn targets() -> Result<Vec<String>> {
    let corpus = dir().join("corpus");
    let entries = std::fs::read_dir(&corpus)
        .map_err(|e| Error::new(format!("reading {}: {e}", corpus.display())))?;
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::new(format!("reading {}: {e}", corpus.display())))?;
        if entry.path().is_dir() {
            names.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    names.sort();
    Ok(names)
}

/// What AFL++'s `fuzzer_stats` says about one session.
#[derive(Debug, PartialEq)]
pub struct Stats {
    /// Inputs run (`execs_done`).
    pub execs: u64,
    /// Inputs kept for new coverage (`corpus_count`).
    pub corpus: u64,
    /// Inputs that crashed (`saved_crashes`).
    pub crashes: u64,
    /// Inputs over the time limit (`saved_hangs`).
    pub hangs: u64,
}

impl Stats {
    /// Read the `key : value` lines of a `fuzzer_stats` file.
    pub fn parse(text: &str) -> Option<Stats> {
        let field = |key: &str| {
            text.lines().find_map(|line| {
                let (k, v) = line.split_once(':')?;
                (k.trim() == key).then(|| v.trim().parse().ok())?
            })
        };
        Some(Stats {
            execs: field("execs_done")?,
            corpus: field("corpus_count")?,
            crashes: field("saved_crashes")?,
            hangs: field("saved_hangs")?,
        })
    }
}

/// `cargo xtask fuzz`: `seconds` per target, for `only` (all if empty).
pub fn main(seconds: u64, only: &[String]) -> Result {
    let all = targets()?;
    if let Some(unknown) = only.iter().find(|t| !all.contains(t)) {
        return Err(Error::new(format!(
            "no fuzz target {unknown:?}; the targets are: {}",
            all.join(" ")
        )));
    }
    let picked: Vec<String> = match only.is_empty() {
        true => all,
        false => only.to_vec(),
    };
    fuzz(&picked, seconds)
}

/// The step of `cargo xtask test`: the harness's tests and clippy, then
/// [`SMOKE_SECONDS`] of AFL++ on every target.
pub(crate) fn smoke() -> Result<Done> {
    crate::test::run(Cmd::cargo().dir(&dir()).arg("test"))?;
    crate::test::run(Cmd::cargo().dir(&dir()).args([
        "clippy",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    fuzz(&targets()?, SMOKE_SECONDS)?;
    Ok(Done::Passed)
}

fn fuzz(targets: &[String], seconds: u64) -> Result {
    if Cmd::cargo().args(["afl", "--version"]).read().is_err() {
        return Err(Error::new(format!(
            "cargo-afl is not installed; install it with `{INSTALL_HINT}` (as .ci/run does)"
        )));
    }
    crate::test::run(Cmd::cargo().dir(&dir()).args(["afl", "build", "--release"]))?;
    let mut results = Vec::new();
    for target in targets {
        let stats = session(target, seconds)?;
        println!(
            "fuzz {target}: {} inputs in {seconds} s, {} kept for new coverage, {} crashes, {} hangs",
            stats.execs, stats.corpus, stats.crashes, stats.hangs
        );
        results.push((target, stats));
    }
    let total: u64 = results.iter().map(|(_, s)| s.execs).sum();
    println!(
        "\nfuzz: {total} inputs in all over {} targets, {seconds} s each",
        results.len()
    );
    let crashed: Vec<String> = results
        .iter()
        .filter(|(_, s)| s.crashes > 0)
        .map(|(t, _)| crash_report(t))
        .collect();
    match crashed.is_empty() {
        true => Ok(()),
        false => Err(Error::new(format!(
            "the fuzzer found crashes:\n{}",
            crashed.join("\n")
        ))),
    }
}

/// Where AFL++ writes the session of `target`.
fn out_dir(target: &str) -> PathBuf {
    dir().join("target").join("afl").join(target)
}

/// One AFL++ session of `seconds` on `target`, from its seeds.
fn session(target: &str, seconds: u64) -> Result<Stats> {
    let out = out_dir(target);
    if out.exists() {
        std::fs::remove_dir_all(&out)
            .map_err(|e| Error::new(format!("removing {}: {e}", out.display())))?;
    }
    std::fs::create_dir_all(&out)
        .map_err(|e| Error::new(format!("creating {}: {e}", out.display())))?;
    let log = out.with_extension("log");
    let fuzz = Cmd::cargo()
        .dir(&dir())
        // No screen, any CPU (the machine is shared), and no demand that
        // core dumps or the CPU governor be set up for a fuzzing box.
        .env("AFL_NO_UI", "1")
        .env("AFL_NO_AFFINITY", "1")
        .env("AFL_SKIP_CPUFREQ", "1")
        .env("AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES", "1")
        .args(["afl", "fuzz", "-t", EXEC_TIMEOUT_MS, "-V"])
        .arg(seconds.to_string())
        .arg("-i")
        .arg(Path::new("corpus").join(target))
        .arg("-o")
        .arg(&out)
        .args(["--", "target/release/ldex-fuzz", target])
        .log_to(&log)?;
    println!("+ {}", fuzz.shown());
    fuzz.run()
        .map_err(|e| e.context(format!("see {}", log.display())))?;
    let stats_file = out.join("default").join("fuzzer_stats");
    let text = std::fs::read_to_string(&stats_file)
        .map_err(|e| Error::new(format!("reading {}: {e}", stats_file.display())))?;
    Stats::parse(&text)
        .ok_or_else(|| Error::new(format!("{} lacks AFL++'s counts", stats_file.display())))
}

/// The saved crashes of `target`, and how to replay one.
fn crash_report(target: &str) -> String {
    let crashes = out_dir(target).join("default").join("crashes");
    let files = std::fs::read_dir(&crashes)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.file_name().is_some_and(|n| n != "README.txt"))
                .map(|p| format!("    {}", crate::short(&p)))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    format!(
        "  {target}:\n{}\n  replay one with: cargo run --manifest-path fuzz/Cargo.toml -- {target} FILE",
        files.join("\n")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_come_from_the_fuzzer_stats_lines() {
        let text = "start_time        : 1\nexecs_done        : 350218\n\
                    corpus_count      : 12\nsaved_crashes     : 0\nsaved_hangs       : 2\n";
        assert_eq!(
            Stats::parse(text),
            Some(Stats {
                execs: 350218,
                corpus: 12,
                crashes: 0,
                hangs: 2
            })
        );
        assert_eq!(Stats::parse("execs_done : 5\n"), None);
    }

    #[test]
    fn the_targets_are_the_corpus_directories() {
        let targets = targets().unwrap();
        for expected in ["acpi", "cpio", "dtb", "elf", "ostep", "pvh", "scenario"] {
            assert!(targets.iter().any(|t| t == expected), "{targets:?}");
        }
    }
}

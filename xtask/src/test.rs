//! `cargo xtask test`: every check of the repository, in order, stopping
//! at the first failure with the step's name.
//!
//! Steps that need QEMU (the qemu-user swtch test and the QEMU boots) are
//! skipped with a `SKIPPED:` line and the apt command when QEMU is not
//! installed; `LDEX_REQUIRE_QEMU=1` turns such a skip into a failure. The
//! nextest profile is `ci` when `CI` is set, else `default`.

use crate::arches::{self, Arch};
use crate::cmd::{Cmd, Error, Result, on_path};
use crate::{QEMU_INSTALL_HINT, boot, examples, root, toolchain};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The bare-metal targets and the arch crates checked and built for each.
const BARE_METAL: &[(&str, &str)] = &[
    ("x86_64-unknown-none", "ldex-arch-x86_64"),
    ("riscv64gc-unknown-none-elf", "ldex-arch-riscv"),
    ("riscv32imac-unknown-none-elf", "ldex-arch-riscv"),
];

/// The crates of the examples workspace that build and test on the host
/// (the rest are bare-metal kernels and programs); absent ones are skipped.
const EXAMPLES_HOST_CRATES: &[&str] = &["abi", "kernel-common"];

/// How a step went, when it did not fail.
enum Done {
    Passed,
    /// Not run for want of a tool: the reason, with how to install it.
    Skipped(String),
}

struct Step {
    id: String,
    action: Box<dyn FnOnce() -> Result<Done>>,
}

fn step(id: impl Into<String>, action: impl FnOnce() -> Result<Done> + 'static) -> Step {
    Step {
        id: id.into(),
        action: Box::new(action),
    }
}

fn run(cmd: Cmd) -> Result<Done> {
    println!("+ {}", cmd.shown());
    cmd.run().map(|()| Done::Passed)
}

/// The pipeline, in order.
fn steps() -> Vec<Step> {
    let mut steps = vec![
        step("toolchain", || toolchain::ensure().map(|()| Done::Passed)),
        step("fmt", fmt),
    ];
    steps.push(step("clippy:host", || {
        run(Cmd::cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))
    }));
    for &(target, arch_crate) in BARE_METAL {
        steps.push(step(format!("clippy:{target}"), move || {
            run(Cmd::cargo()
                .args([
                    "clippy",
                    "-p",
                    "ldex-core",
                    "-p",
                    arch_crate,
                    "--target",
                    target,
                ])
                .args(["--", "-D", "warnings"]))
        }));
    }
    steps.push(step("clippy:examples", clippy_examples));
    steps.push(step("nextest", || {
        let profile = if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
            "ci"
        } else {
            "default"
        };
        run(Cmd::cargo().args(["nextest", "run", "--workspace", "--profile", profile]))
    }));
    steps.push(step("doctest", || {
        run(Cmd::cargo().args(["test", "--workspace", "--doc"]))
    }));
    steps.push(step("examples:test", examples_test));
    steps.push(step("loom", loom));
    for &(target, arch_crate) in BARE_METAL {
        steps.push(step(format!("build:{target}"), move || {
            run(Cmd::cargo().args([
                "build",
                "-p",
                "ldex-core",
                "-p",
                arch_crate,
                "--target",
                target,
            ]))
        }));
    }
    steps.push(step("qemu-user:riscv64-swtch", qemu_user));
    if arches::all().next().is_none() {
        steps.push(step("qemu", || {
            println!(
                "QEMU boots: no example kernel registered yet (xtask/src/arches/): nothing to boot"
            );
            Ok(Done::Passed)
        }));
    }
    for arch in arches::all() {
        steps.push(step(format!("qemu:{}", arch.name), move || {
            qemu_boots(arch)
        }));
    }
    steps
}

fn fmt() -> Result<Done> {
    run(Cmd::cargo().args(["fmt", "--all", "--check"]))?;
    if examples::exists() {
        run(Cmd::cargo()
            .dir(&examples::dir())
            .args(["fmt", "--all", "--check"]))?;
    }
    Ok(Done::Passed)
}

/// The host crates of the examples workspace that exist, as `-p` args.
fn examples_host_packages() -> Vec<&'static str> {
    let present = |name: &&&str| examples::dir().join(name).join("Cargo.toml").is_file();
    EXAMPLES_HOST_CRATES
        .iter()
        .filter(present)
        .flat_map(|&name| ["-p", name])
        .collect()
}

/// Clippy over the examples workspace: its host crates with their tests,
/// then every registered kernel and its user programs for their targets.
fn clippy_examples() -> Result<Done> {
    let host = examples_host_packages();
    if !host.is_empty() {
        run(Cmd::cargo()
            .dir(&examples::dir())
            .arg("clippy")
            .args(host)
            .args(["--all-targets", "--", "-D", "warnings"]))?;
    }
    if arches::all().next().is_none() {
        println!("no example kernel registered yet: no kernel to lint");
    }
    for arch in arches::all() {
        let builds = [
            (vec![arch.kernel.package], arch.kernel.target),
            (arch.programs.packages.to_vec(), arch.programs.target),
        ];
        for (packages, target) in builds {
            let cmd = packages
                .iter()
                .fold(Cmd::cargo().dir(&examples::dir()).arg("clippy"), |c, p| {
                    c.args(["-p", p])
                });
            run(cmd.args(["--release", "--target", target, "--", "-D", "warnings"]))?;
        }
    }
    Ok(Done::Passed)
}

/// The host tests (unit and doc) of the examples workspace's host crates.
fn examples_test() -> Result<Done> {
    let host = examples_host_packages();
    if host.is_empty() {
        println!("no host crate in examples/ yet: nothing to test");
        return Ok(Done::Passed);
    }
    run(Cmd::cargo().dir(&examples::dir()).arg("test").args(host))
}

/// The loom model checks: `ldex-core/tests/loom*.rs`, built with
/// `--cfg loom` in release mode into their own target dir.
fn loom() -> Result<Done> {
    let tests = loom_tests()?;
    if tests.is_empty() {
        println!("no ldex-core/tests/loom*.rs yet: nothing to model-check");
        return Ok(Done::Passed);
    }
    let rustflags = match std::env::var("RUSTFLAGS") {
        Ok(flags) if !flags.is_empty() => format!("{flags} --cfg loom"),
        _ => "--cfg loom".to_owned(),
    };
    let target_dir: PathBuf = root().join("target").join("loom");
    let cmd = Cmd::cargo()
        .env("RUSTFLAGS", rustflags)
        .env_default("LOOM_MAX_PREEMPTIONS", "2")
        .args([
            "nextest",
            "run",
            "-p",
            "ldex-core",
            "--release",
            "--profile",
            "loom",
            "--target-dir",
        ])
        .arg(target_dir);
    run(tests.iter().fold(cmd, |c, t| c.args(["--test", t])))
}

fn loom_tests() -> Result<Vec<String>> {
    let dir = root().join("ldex-core").join("tests");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(Vec::new());
    };
    let mut tests = Vec::new();
    for entry in entries {
        let name = entry
            .map_err(|e| Error::new(format!("reading {}: {e}", dir.display())))?
            .file_name();
        let name = name.to_string_lossy();
        if let Some(stem) = name.strip_suffix(".rs").filter(|s| s.starts_with("loom")) {
            tests.push(stem.to_owned());
        }
    }
    tests.sort();
    Ok(tests)
}

/// The RISC-V swtch host test, run on riscv64 Linux under qemu-user.
fn qemu_user() -> Result<Done> {
    let missing: Vec<_> = ["qemu-riscv64", "riscv64-linux-gnu-gcc"]
        .into_iter()
        .filter(|p| !on_path(p))
        .collect();
    if !missing.is_empty() {
        return Ok(Done::Skipped(format!(
            "RISC-V swtch test under qemu-user: {} not installed",
            missing.join(", ")
        )));
    }
    run(Cmd::cargo()
        .env_default(
            "CARGO_TARGET_RISCV64GC_UNKNOWN_LINUX_GNU_RUNNER",
            "qemu-riscv64 -L /usr/riscv64-linux-gnu",
        )
        .env_default(
            "CARGO_TARGET_RISCV64GC_UNKNOWN_LINUX_GNU_LINKER",
            "riscv64-linux-gnu-gcc",
        )
        .args([
            "test",
            "-p",
            "ldex-arch-riscv",
            "--target",
            "riscv64gc-unknown-linux-gnu",
            "--tests",
        ]))
}

/// Every boot `arch` registers, each checked against its expectation file.
/// All boots run; the step fails if any failed.
fn qemu_boots(arch: &'static Arch) -> Result<Done> {
    if !on_path(arch.qemu.binary) {
        return Ok(Done::Skipped(format!(
            "{} QEMU boots: {} not installed",
            arch.name, arch.qemu.binary
        )));
    }
    if arch.boots.is_empty() {
        println!("{}: no boots registered", arch.name);
    }
    let failures: Vec<String> = arch
        .boots
        .iter()
        .filter_map(|b| boot::check(arch, b).err())
        .map(|e| e.to_string())
        .collect();
    if failures.is_empty() {
        Ok(Done::Passed)
    } else {
        Err(Error::new(failures.join("\n")))
    }
}

/// Runs the steps whose ids start with one of `only` (all when empty; the
/// toolchain step always runs). `list` prints the ids instead.
pub fn main(only: &[String], list: bool) -> Result {
    let steps = steps();
    if list {
        steps.iter().for_each(|s| println!("{}", s.id));
        return Ok(());
    }
    let selected: Vec<Step> = steps
        .into_iter()
        .filter(|s| {
            s.id == "toolchain"
                || only.is_empty()
                || only.iter().any(|o| s.id.starts_with(o.as_str()))
        })
        .collect();
    if selected.len() == 1 && !only.is_empty() {
        return Err(Error::new(format!(
            "no step matches {only:?}; see `cargo xtask test --list`"
        )));
    }
    let require_qemu = std::env::var("LDEX_REQUIRE_QEMU").is_ok_and(|v| v == "1");
    let total = selected.len();
    let start = Instant::now();
    let mut timings: Vec<(String, Duration, &str)> = Vec::new();
    for (index, step) in selected.into_iter().enumerate() {
        println!("\n==> [{}/{total}] {}", index + 1, step.id);
        let began = Instant::now();
        let outcome = (step.action)();
        let took = began.elapsed();
        let failed = |why: Error| {
            print_timings(&timings, start.elapsed());
            why.context(format!("cargo xtask test: step `{}` failed", step.id))
        };
        match outcome {
            Ok(Done::Passed) => timings.push((step.id, took, "ok")),
            Ok(Done::Skipped(why)) if require_qemu => {
                return Err(failed(Error::new(format!(
                    "{why}, and LDEX_REQUIRE_QEMU=1 forbids skipping (install with: {QEMU_INSTALL_HINT})"
                ))));
            }
            Ok(Done::Skipped(why)) => {
                println!("SKIPPED: {why} (install with: {QEMU_INSTALL_HINT})");
                timings.push((step.id, took, "SKIPPED"));
            }
            Err(why) => return Err(failed(why)),
        }
    }
    print_timings(&timings, start.elapsed());
    let skipped = timings.iter().filter(|t| t.2 == "SKIPPED").count();
    println!(
        "cargo xtask test: {} of {total} steps passed, {skipped} skipped",
        total - skipped
    );
    Ok(())
}

fn print_timings(timings: &[(String, Duration, &str)], total: Duration) {
    println!("\n{:<38} {:>8}  result", "step", "seconds");
    for (id, took, result) in timings {
        println!("{id:<38} {:>8.1}  {result}", took.as_secs_f64());
    }
    println!("{:<38} {:>8.1}", "total", total.as_secs_f64());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arches::{Build, Exit, Programs, Qemu};

    #[test]
    fn boots_of_an_arch_whose_qemu_is_missing_are_skipped_naming_the_binary() {
        static ARCH: Arch = Arch {
            name: "nowhere",
            kernel: Build {
                package: "k",
                target: "t",
                features: &[],
            },
            programs: Programs {
                packages: &[],
                target: "t",
                bins: &[],
            },
            qemu: Qemu {
                binary: "qemu-system-ldex-does-not-exist",
                args: &[],
                ..Qemu::LINUX_FLAGS
            },
            exit: Exit::SIFIVE_TEST,
            default_cmdline: "",
            boots: &[],
            bench: None,
        };
        let Ok(Done::Skipped(why)) = qemu_boots(&ARCH) else {
            panic!("not skipped")
        };
        assert!(
            why.contains("qemu-system-ldex-does-not-exist not installed"),
            "{why}"
        );
    }

    #[test]
    fn step_ids_are_unique_so_prefixes_select_predictably() {
        let ids: Vec<String> = steps().into_iter().map(|s| s.id).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), ids.len(), "{ids:?}");
    }
}

//! `cargo xtask test`: every check of the repository, in order, stopping
//! at the first failure with the step's name.
//!
//! Steps that need QEMU (qemu-user and the QEMU boots) are
//! skipped with a `SKIPPED:` line and the apt command when QEMU is not
//! installed; `LDEX_REQUIRE_QEMU=1` turns such a skip into a failure. The
//! nextest profile is `ci` when `CI` is set, else `default`.

mod checks;
mod docs_rs;
mod msrv;
mod readme;

use crate::QEMU_INSTALL_HINT;
use crate::arches;
use crate::cmd::{Cmd, Error, Result};
use crate::smp;
use crate::toolchain;
use checks::{clippy_examples, examples_test, fmt, is_conformance, loom, qemu_boots, qemu_user};
use std::time::{Duration, Instant};

/// The bare-metal targets and the arch crates checked and built for each.
const BARE_METAL: &[(&str, &str)] = &[
    ("x86_64-unknown-none", "ldex-arch-x86_64"),
    ("riscv64gc-unknown-none-elf", "ldex-arch-riscv"),
    ("riscv32imac-unknown-none-elf", "ldex-arch-riscv"),
    // The kernel's target (soft float: the kernel never touches FP), and
    // the hard-float one user programs and the crate target use.
    ("aarch64-unknown-none-softfloat", "ldex-arch-aarch64"),
    ("aarch64-unknown-none", "ldex-arch-aarch64"),
];

/// How a step went, when it did not fail.
pub(crate) enum Done {
    /// Ran and passed (or had nothing to check yet, and said so).
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

pub(crate) fn run(cmd: Cmd) -> Result<Done> {
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
            // With the conformance kit's glue, which only kernels enable.
            run(Cmd::cargo()
                .args([
                    "clippy",
                    "-p",
                    "ldex-core",
                    "-p",
                    arch_crate,
                    "--target",
                    target,
                    "--features",
                ])
                .arg(format!("{arch_crate}/conformance"))
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
    steps.push(step("fuzz:smoke", crate::fuzz::smoke));
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
    steps.push(step("readme:crate", readme::check));
    for &krate in docs_rs::ARCH_CRATES {
        steps.push(step(format!("docs.rs:{krate}"), move || {
            docs_rs::check(krate)
        }));
    }
    steps.push(step("msrv:host", msrv::host));
    for &(target, arch_crate) in BARE_METAL {
        steps.push(step(format!("msrv:{target}"), move || {
            msrv::check(Some(target), &["ldex-core", arch_crate])
        }));
    }
    // The conformance kit (ldex-conformance) against every backend: the
    // host's and qemu-user's share of it, the simulator's whole kit, and
    // the whole kit in ring 0 / S-mode under QEMU.
    steps.push(step("conformance:x86_64-host", || {
        run(Cmd::cargo().args(["test", "-p", "ldex-arch-x86_64", "--lib", "conformance::"]))
    }));
    for user in checks::QEMU_USER {
        steps.push(step(
            format!("conformance:{}-qemu-user", user.arch),
            move || qemu_user(user),
        ));
    }
    steps.push(step("conformance:sim", || {
        run(Cmd::cargo().args(["test", "-p", "ldex-sim", "--test", "conformance"]))
    }));
    for arch in arches::all().filter(|a| a.boots.iter().any(is_conformance)) {
        steps.push(step(format!("conformance:qemu-{}", arch.name), move || {
            qemu_boots(arch, is_conformance)
        }));
    }
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
            qemu_boots(arch, |b| !is_conformance(b))
        }));
    }
    for arch in arches::all().filter(|a| smp::ARCHES.contains(&a.name)) {
        steps.push(step(format!("smp:{}", arch.name), move || {
            if !crate::cmd::on_path(arch.qemu.binary) {
                return Ok(Done::Skipped(format!(
                    "{} SMP check: {} not installed",
                    arch.name, arch.qemu.binary
                )));
            }
            smp::check(arch).map(|()| Done::Passed)
        }));
    }
    steps
}

/// Runs the steps whose ids start with one of `only` (all when empty; the
/// toolchain step always runs). `list` prints the ids instead.
pub fn main(only: &[String], list: bool) -> Result {
    let steps = steps();
    if list {
        steps.iter().for_each(|s| println!("{}", s.id));
        return Ok(());
    }
    let picked = |s: &Step| only.iter().any(|o| s.id.starts_with(o.as_str()));
    if !only.is_empty() && !steps.iter().any(picked) {
        return Err(Error::new(format!(
            "no step matches {only:?}; see `cargo xtask test --list`"
        )));
    }
    let selected: Vec<Step> = steps
        .into_iter()
        .filter(|s| s.id == "toolchain" || only.is_empty() || picked(s))
        .collect();
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
    // The plain closing line CI reads: steps passed and failed (a failed
    // step returns above, so none here).
    println!(
        "steps: {} passed, 0 failed, {skipped} skipped",
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

    #[test]
    fn step_ids_are_unique_so_prefixes_select_predictably() {
        let ids: Vec<String> = steps().into_iter().map(|s| s.id).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), ids.len(), "{ids:?}");
    }
}

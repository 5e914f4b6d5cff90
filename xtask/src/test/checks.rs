//! The checks of `cargo xtask test` that are more than one command.

use super::{Done, run};
use crate::arches::{self, Arch, Boot};
use crate::cmd::{Cmd, Error, Result, on_path};
use crate::{boot, examples, root};
use std::path::PathBuf;

/// The crates of the examples workspace that build and test on the host
/// (the rest are bare-metal kernels and programs); absent ones are skipped.
const EXAMPLES_HOST_CRATES: &[&str] = &["abi", "kernel-common"];

pub(super) fn fmt() -> Result<Done> {
    run(Cmd::cargo().args(["fmt", "--all", "--check"]))?;
    if examples::exists() {
        run(Cmd::cargo()
            .dir(&examples::dir())
            .args(["fmt", "--all", "--check"]))?;
    }
    run(Cmd::cargo()
        .dir(&crate::root().join("fuzz"))
        .args(["fmt", "--all", "--check"]))?;
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
pub(super) fn clippy_examples() -> Result<Done> {
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
        // A starter kernel has no user programs: nothing more to lint.
        for (packages, target) in builds.into_iter().filter(|(p, _)| !p.is_empty()) {
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
pub(super) fn examples_test() -> Result<Done> {
    let host = examples_host_packages();
    if host.is_empty() {
        println!("no host crate in examples/ yet: nothing to test");
        return Ok(Done::Passed);
    }
    run(Cmd::cargo().dir(&examples::dir()).arg("test").args(host))
}

/// The loom model checks: `ldex-core/tests/loom*.rs`, built with
/// `--cfg loom` in release mode into their own target dir.
pub(super) fn loom() -> Result<Done> {
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

/// An arch crate whose unit tests (the conformance kit's switch and frame
/// checks among them) run on Linux of its arch under qemu-user.
pub(super) struct QemuUser {
    /// The step's name: `conformance:ARCH-qemu-user`.
    pub arch: &'static str,
    /// The arch crate.
    krate: &'static str,
    /// The Linux target triple, and its cargo env-var spelling.
    target: &'static str,
    target_env: &'static str,
    /// qemu-user, the cross C compiler (the linker) and the target's sysroot.
    qemu: &'static str,
    gcc: &'static str,
    sysroot: &'static str,
}

/// Every arch crate tested under qemu-user.
pub(super) const QEMU_USER: &[QemuUser] = &[
    QemuUser {
        arch: "riscv64",
        krate: "ldex-arch-riscv",
        target: "riscv64gc-unknown-linux-gnu",
        target_env: "RISCV64GC_UNKNOWN_LINUX_GNU",
        qemu: "qemu-riscv64",
        gcc: "riscv64-linux-gnu-gcc",
        sysroot: "/usr/riscv64-linux-gnu",
    },
    QemuUser {
        arch: "aarch64",
        krate: "ldex-arch-aarch64",
        target: "aarch64-unknown-linux-gnu",
        target_env: "AARCH64_UNKNOWN_LINUX_GNU",
        qemu: "qemu-aarch64",
        gcc: "aarch64-linux-gnu-gcc",
        sysroot: "/usr/aarch64-linux-gnu",
    },
];

/// `user.krate`'s unit tests, run on Linux of its arch under qemu-user.
pub(super) fn qemu_user(user: &QemuUser) -> Result<Done> {
    let missing: Vec<_> = [user.qemu, user.gcc]
        .into_iter()
        .filter(|p| !on_path(p))
        .collect();
    if !missing.is_empty() {
        return Ok(Done::Skipped(format!(
            "{} conformance kit under qemu-user: {} not installed",
            user.arch,
            missing.join(", ")
        )));
    }
    run(Cmd::cargo()
        .env_default(
            &format!("CARGO_TARGET_{}_RUNNER", user.target_env),
            format!("{} -L {}", user.qemu, user.sysroot),
        )
        .env_default(
            &format!("CARGO_TARGET_{}_LINKER", user.target_env),
            user.gcc,
        )
        .args(["test", "-p", user.krate, "--target", user.target, "--lib"]))
}

/// Is `boot` a run of the conformance kit (its own `conformance:` step)
/// rather than of the protocol?
pub(super) fn is_conformance(boot: &Boot) -> bool {
    boot.name.starts_with("conformance")
}

/// The boots of `arch` that `pick` selects, each checked against its
/// expectation file. All of them run; the step fails if any failed.
pub(super) fn qemu_boots(arch: &'static Arch, pick: fn(&Boot) -> bool) -> Result<Done> {
    if !on_path(arch.qemu.binary) {
        return Ok(Done::Skipped(format!(
            "{} QEMU boots: {} not installed",
            arch.name, arch.qemu.binary
        )));
    }
    if !arch.boots.iter().any(pick) {
        println!("{}: no such boots registered", arch.name);
    }
    let failures: Vec<String> = arch
        .boots
        .iter()
        .filter(|b| pick(b))
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
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boots_of_an_arch_whose_qemu_is_missing_are_skipped_naming_the_binary() {
        static ARCH: Arch = crate::arches::fake("nowhere", "qemu-system-ldex-does-not-exist", &[]);
        let Ok(Done::Skipped(why)) = qemu_boots(&ARCH, |_| true) else {
            panic!("not skipped")
        };
        assert!(
            why.contains("qemu-system-ldex-does-not-exist not installed"),
            "{why}"
        );
    }
}

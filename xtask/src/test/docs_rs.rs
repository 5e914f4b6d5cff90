//! What docs.rs will show: each arch crate's docs, built for the
//! `default-target` its `[package.metadata.docs.rs]` names, render the
//! types that implement ldex-core's boundary traits (they sit behind
//! `cfg(target_arch)`, so a build for docs.rs's default x86_64 Linux target
//! would leave the RISC-V ones out).

use super::{Done, run};
use crate::cmd::{Cmd, Error, Result};
use crate::{root, short};
use std::path::{Path, PathBuf};

/// The crates docs.rs builds for a target of their own.
pub const ARCH_CRATES: &[&str] = &["ldex-arch-riscv", "ldex-arch-x86_64", "ldex-arch-aarch64"];

/// The ldex-core traits whose implementations must render.
const BOUNDARY: &[&str] = &["Arch", "Timer", "TrapTable"];

/// Builds `krate`'s docs as docs.rs would (warnings denied) and checks
/// that an implementation of every [`BOUNDARY`] trait is in them.
pub(super) fn check(krate: &str) -> Result<Done> {
    let manifest_path = root().join(krate).join("Cargo.toml");
    let manifest = std::fs::read_to_string(&manifest_path)
        .map_err(|e| Error::new(format!("reading {}: {e}", short(&manifest_path))))?;
    let target = default_target(&manifest).ok_or_else(|| {
        Error::new(format!(
            "{} has no `default-target` under [package.metadata.docs.rs]",
            short(&manifest_path)
        ))
    })?;
    let target_dir: PathBuf = root().join("target").join("xtask").join("docs-rs");
    run(Cmd::cargo()
        .env("RUSTDOCFLAGS", "-D warnings")
        .args([
            "doc",
            "--no-deps",
            "-p",
            krate,
            "--target",
            target,
            "--target-dir",
        ])
        .arg(&target_dir))?;
    let docs = target_dir
        .join(target)
        .join("doc")
        .join(krate.replace('-', "_"));
    let mut html = String::new();
    read_html(&docs, &mut html)?;
    let missing: Vec<&str> = BOUNDARY
        .iter()
        .copied()
        .filter(|t| !html.contains(&format!("id=\"impl-{t}-for-")))
        .collect();
    if !missing.is_empty() {
        return Err(Error::new(format!(
            "{krate}'s docs for {target} show no implementation of {missing:?}"
        )));
    }
    println!("{krate} on {target}: implementations of {BOUNDARY:?} render");
    Ok(Done::Passed)
}

/// The `default-target` of the `[package.metadata.docs.rs]` table.
fn default_target(manifest: &str) -> Option<&str> {
    let table = manifest.split("[package.metadata.docs.rs]").nth(1)?;
    let table = table.split("\n[").next()?;
    table.lines().find_map(|line| {
        let value = line.trim().strip_prefix("default-target")?.trim_start();
        value
            .strip_prefix('=')?
            .trim()
            .strip_prefix('"')?
            .strip_suffix('"')
    })
}

/// Appends every `.html` file under `dir` to `out`.
fn read_html(dir: &Path, out: &mut String) -> Result {
    let entries =
        std::fs::read_dir(dir).map_err(|e| Error::new(format!("reading {}: {e}", short(dir))))?;
    for entry in entries {
        let path = entry
            .map_err(|e| Error::new(format!("reading {}: {e}", short(dir))))?
            .path();
        if path.is_dir() {
            read_html(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "html") {
            out.push_str(
                &std::fs::read_to_string(&path)
                    .map_err(|e| Error::new(format!("reading {}: {e}", short(&path))))?,
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::default_target;

    #[test]
    fn default_target_is_read_from_the_docs_rs_table_only() {
        let manifest = "[package]\ndefault-target = \"no\"\n\n[package.metadata.docs.rs]\ndefault-target = \"riscv64gc-unknown-none-elf\"\ntargets = []\n\n[lints]\n";
        assert_eq!(default_target(manifest), Some("riscv64gc-unknown-none-elf"));
        assert_eq!(default_target("[package]\nname = \"x\"\n"), None);
    }
}

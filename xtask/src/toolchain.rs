//! The rustup targets and components the pipeline needs, added on demand.
//!
//! Asking rustup what is installed takes a few milliseconds, so a machine
//! that already has everything pays nothing; a fresh one gets exactly what
//! is missing.

use crate::cmd::{Cmd, Error, Result, on_path};

/// The bare-metal targets of the library crates and the example kernels.
pub const BARE_METAL_TARGETS: &[&str] = &[
    "x86_64-unknown-none",
    "riscv64gc-unknown-none-elf",
    "riscv32imac-unknown-none-elf",
    "aarch64-unknown-none-softfloat",
    "aarch64-unknown-none",
];

/// The Linux targets the RISC-V and AArch64 swtch tests run on under
/// qemu-user.
pub const QEMU_USER_TARGETS: &[&str] =
    &["riscv64gc-unknown-linux-gnu", "aarch64-unknown-linux-gnu"];

/// `rust-src` and `llvm-tools` serve the example kernels (core sources,
/// objcopy/size); clippy and rustfmt are absent from rustup's minimal
/// profile.
pub const COMPONENTS: &[&str] = &["rust-src", "llvm-tools", "clippy", "rustfmt"];

/// Adds whatever of [`BARE_METAL_TARGETS`], [`QEMU_USER_TARGETS`] and
/// [`COMPONENTS`] the active toolchain
/// lacks. Without rustup it only says so: the later steps then name what
/// is missing.
pub fn ensure() -> Result {
    let wanted: Vec<&str> = BARE_METAL_TARGETS
        .iter()
        .copied()
        .chain(QEMU_USER_TARGETS.iter().copied())
        .collect();
    if !on_path("rustup") {
        println!(
            "note: rustup not found; assuming the toolchain has {wanted:?} and {COMPONENTS:?}"
        );
        return Ok(());
    }
    let installed = Cmd::new("rustup")
        .args(["target", "list", "--installed"])
        .read()?;
    let targets = missing(&wanted, &installed);
    if !targets.is_empty() {
        Cmd::new("rustup")
            .args(["target", "add"])
            .args(&targets)
            .run()?;
    }
    let installed = Cmd::new("rustup")
        .args(["component", "list", "--installed"])
        .read()?;
    let components = missing(COMPONENTS, &installed);
    if !components.is_empty() {
        Cmd::new("rustup")
            .args(["component", "add"])
            .args(&components)
            .run()?;
    }
    if targets.is_empty() && components.is_empty() {
        println!(
            "rustup: all {} targets and {} components present",
            wanted.len(),
            COMPONENTS.len()
        );
    }
    Ok(())
}

/// The MSRV: the workspace manifest's `rust-version`, so the check and
/// what the crates state cannot disagree.
pub fn msrv() -> Result<String> {
    let manifest = std::fs::read_to_string(crate::root().join("Cargo.toml"))
        .map_err(|e| Error::new(format!("reading Cargo.toml: {e}")))?;
    rust_version(&manifest)
        .map(str::to_owned)
        .ok_or_else(|| Error::new("Cargo.toml states no `rust-version`"))
}

/// The value of the first `rust-version = "..."` line of a manifest.
fn rust_version(manifest: &str) -> Option<&str> {
    manifest.lines().find_map(|line| {
        let value = line.trim().strip_prefix("rust-version")?.trim_start();
        value
            .strip_prefix('=')?
            .trim()
            .strip_prefix('"')?
            .strip_suffix('"')
    })
}

/// Installs the `version` toolchain (minimal profile) with the bare-metal
/// [`BARE_METAL_TARGETS`] when rustup lacks any of it, so `cargo +<version>` works.
/// Without rustup it only says so.
pub fn ensure_toolchain(version: &str) -> Result {
    if !on_path("rustup") {
        println!("note: rustup not found; assuming toolchain {version} is installed");
        return Ok(());
    }
    let toolchains = Cmd::new("rustup").args(["toolchain", "list"]).read()?;
    if missing(&[version], &toolchains).is_empty() {
        let installed = Cmd::new("rustup")
            .args(["target", "list", "--installed", "--toolchain", version])
            .read()?;
        let targets = missing(BARE_METAL_TARGETS, &installed);
        if !targets.is_empty() {
            Cmd::new("rustup")
                .args(["target", "add", "--toolchain", version])
                .args(&targets)
                .run()?;
        }
        return Ok(());
    }
    Cmd::new("rustup")
        .args(["toolchain", "install", version, "--profile", "minimal"])
        .arg("--target")
        .arg(BARE_METAL_TARGETS.join(","))
        .run()
}

/// The names of `wanted` absent from rustup's `--installed` listing, whose
/// lines are a name optionally followed by `-<host triple>`.
fn missing<'a>(wanted: &[&'a str], listing: &str) -> Vec<&'a str> {
    let present = |name: &str| {
        listing.lines().map(str::trim).any(|line| {
            line.strip_prefix(name)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('-'))
        })
    };
    wanted
        .iter()
        .copied()
        .filter(|name| !present(name))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{missing, rust_version};

    #[test]
    fn missing_matches_names_with_and_without_host_suffix() {
        let listing =
            "rust-src\nllvm-tools-x86_64-unknown-linux-gnu\nrust-std-x86_64-unknown-none\n";
        assert_eq!(
            missing(&["rust-src", "llvm-tools", "clippy", "rust-std"], listing),
            ["clippy"]
        );
    }

    #[test]
    fn rust_version_reads_the_manifest_line() {
        let manifest = "[workspace.package]\nedition = \"2024\"\nrust-version = \"1.88\"\n";
        assert_eq!(rust_version(manifest), Some("1.88"));
        assert_eq!(rust_version("[package]\nname = \"x\"\n"), None);
    }

    #[test]
    fn missing_does_not_take_a_longer_name_for_a_shorter_one() {
        assert_eq!(
            missing(&["rust"], "rustfmt-x86_64-unknown-linux-gnu\n"),
            ["rust"]
        );
    }
}

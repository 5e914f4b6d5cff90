//! The rustup targets and components the pipeline needs, added on demand.
//!
//! Asking rustup what is installed takes a few milliseconds, so a machine
//! that already has everything pays nothing; a fresh one gets exactly what
//! is missing.

use crate::cmd::{Cmd, Result, on_path};

/// The bare-metal targets of the arch crates and the example kernels, and
/// the Linux target the RISC-V swtch test runs on under qemu-user.
pub const TARGETS: &[&str] = &[
    "x86_64-unknown-none",
    "riscv64gc-unknown-none-elf",
    "riscv32imac-unknown-none-elf",
    "riscv64gc-unknown-linux-gnu",
];

/// `rust-src` and `llvm-tools` serve the example kernels (core sources,
/// objcopy/size); clippy and rustfmt are absent from rustup's minimal
/// profile.
pub const COMPONENTS: &[&str] = &["rust-src", "llvm-tools", "clippy", "rustfmt"];

/// Adds whatever of [`TARGETS`] and [`COMPONENTS`] the active toolchain
/// lacks. Without rustup it only says so: the later steps then name what
/// is missing.
pub fn ensure() -> Result {
    if !on_path("rustup") {
        println!(
            "note: rustup not found; assuming the toolchain has {TARGETS:?} and {COMPONENTS:?}"
        );
        return Ok(());
    }
    let installed = Cmd::new("rustup")
        .args(["target", "list", "--installed"])
        .read()?;
    let targets = missing(TARGETS, &installed);
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
            TARGETS.len(),
            COMPONENTS.len()
        );
    }
    Ok(())
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
    use super::missing;

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
    fn missing_does_not_take_a_longer_name_for_a_shorter_one() {
        assert_eq!(
            missing(&["rust"], "rustfmt-x86_64-unknown-linux-gnu\n"),
            ["rust"]
        );
    }
}

//! The MSRV holds: every library crate checks, for each of its targets, on
//! the toolchain the workspace's `rust-version` names, warnings denied.

use super::{Done, run};
use crate::cmd::{Cmd, Result};
use crate::toolchain;

/// The library crates that build on the host.
const HOST_CRATES: &[&str] = &[
    "ldex-core",
    "ldex-conformance",
    "ldex-arch-x86_64",
    "ldex-arch-riscv",
    "ldex-sim",
];

/// `cargo +<msrv> check` of `crates` for `target` (`None`: the host), with
/// their tests' and examples' code left out: those may use what is newer.
pub(super) fn check(target: Option<&str>, crates: &[&str]) -> Result<Done> {
    let msrv = toolchain::msrv()?;
    toolchain::ensure_toolchain(&msrv)?;
    let cmd = crates
        .iter()
        .fold(Cmd::cargo().arg(format!("+{msrv}")).arg("check"), |c, p| {
            c.args(["-p", p])
        });
    let cmd = match target {
        Some(target) => cmd.args(["--target", target]),
        None => cmd,
    };
    run(cmd.env("RUSTFLAGS", "-D warnings"))
}

/// The host check.
pub(super) fn host() -> Result<Done> {
    check(None, HOST_CRATES)
}

//! `cargo xtask`: the ldex workspace's build, test, QEMU and benchmark
//! tasks, in plain Rust so they run wherever cargo does.
//!
//! The binary (`main.rs`) only parses the command line; each task lives in
//! its own module. Everything is std-only: the tasks run other programs and
//! read their text output, which needs no dependency.

pub mod arches;
pub mod bench;
pub mod boot;
pub mod cmd;
pub mod cpio;
pub mod examples;
pub mod fuzz;
pub mod perfdoc;
pub mod qemu;
pub mod smp;
pub mod test;
pub mod toolchain;
pub mod transcript;

use std::path::{Path, PathBuf};

/// The repository root (the directory of the root `Cargo.toml`).
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits in the repository root")
}

/// Where xtask writes its own files (initrds, console logs): `target/xtask`.
pub fn out_dir() -> PathBuf {
    root().join("target").join("xtask")
}

/// `path` relative to the repository root, for shorter messages.
pub fn short(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// The apt command that installs every QEMU and C toolchain the tasks use,
/// for SKIPPED lines.
pub const QEMU_INSTALL_HINT: &str = "sudo apt-get install -y --no-install-recommends \
     qemu-system-x86 qemu-system-misc opensbi qemu-user gcc gcc-riscv64-linux-gnu libc6-dev-riscv64-cross \
     musl-tools";

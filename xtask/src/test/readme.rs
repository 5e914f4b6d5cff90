//! The README cannot rot: its dependency lines and its usage sketch build,
//! for the bare-metal target, in a fresh crate outside the workspace.
//!
//! The crate lives in a temporary directory. Its `Cargo.toml` takes the
//! README's `[dependencies]` block with each `git = "..."` turned into a
//! `path` into this checkout, the form the README offers for a checkout;
//! its `lib.rs` is the README's `rust` block with `#![no_std]` above it and
//! the one function the sketch leaves to the reader (`shutdown`) below.

use super::{Done, run};
use crate::cmd::{Cmd, Error, Result};
use crate::{root, short};
use std::path::{Path, PathBuf};

/// The target the sketch is written for (it uses `ldex-arch-riscv`).
const TARGET: &str = "riscv64gc-unknown-none-elf";

/// Builds the README's sketch in a fresh crate.
pub(super) fn check() -> Result<Done> {
    let readme_path = root().join("README.md");
    let readme = std::fs::read_to_string(&readme_path)
        .map_err(|e| Error::new(format!("reading {}: {e}", readme_path.display())))?;
    let deps = fenced(&readme, "toml")
        .into_iter()
        .find(|b| b.contains("[dependencies]"))
        .ok_or_else(|| Error::new("README.md has no ```toml block with [dependencies]"))?;
    let deps = path_dependencies(&deps, root())?;
    let sketch = fenced(&readme, "rust")
        .into_iter()
        .find(|b| b.contains("Kernel::new"))
        .ok_or_else(|| Error::new("README.md has no ```rust block with `Kernel::new`"))?;
    let dir = std::env::temp_dir().join(format!("ldex-readme-{}", std::process::id()));
    write(&dir.join("Cargo.toml"), &manifest(&deps))?;
    write(&dir.join("src").join("lib.rs"), &lib_rs(&sketch))?;
    // The workspace's lock pins the same versions, so no registry lookup.
    std::fs::copy(root().join("Cargo.lock"), dir.join("Cargo.lock"))
        .map_err(|e| Error::new(format!("copying Cargo.lock: {e}")))?;
    println!("README crate: {}", dir.display());
    let target_dir: PathBuf = root().join("target").join("xtask").join("readme");
    run(Cmd::cargo()
        .dir(&dir)
        .env("RUSTFLAGS", "-D warnings")
        .args(["build", "--target", TARGET, "--target-dir"])
        .arg(&target_dir))?;
    std::fs::remove_dir_all(&dir)
        .map_err(|e| Error::new(format!("removing {}: {e}", dir.display())))?;
    Ok(Done::Passed)
}

fn write(path: &Path, text: &str) -> Result {
    std::fs::create_dir_all(path.parent().expect("a file in a directory"))
        .and_then(|()| std::fs::write(path, text))
        .map_err(|e| Error::new(format!("writing {}: {e}", short(path))))
}

/// The bodies of the fenced blocks whose info string's first word (before
/// any `,`) is `lang`.
fn fenced(markdown: &str, lang: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    // Inside a block: `Some(Some(body))` for one in `lang`, `Some(None)` for
    // another.
    let mut inside: Option<Option<String>> = None;
    for line in markdown.lines() {
        match (inside.take(), line.strip_prefix("```")) {
            (None, Some(info)) => {
                inside = Some((info.split(',').next() == Some(lang)).then(String::new));
            }
            (Some(body), Some(_)) => blocks.extend(body),
            (Some(Some(mut body)), None) => {
                body.push_str(line);
                body.push('\n');
                inside = Some(Some(body));
            }
            (other, None) => inside = other,
        }
    }
    blocks
}

/// `deps` with every `NAME = { git = "..." ... }` line turned into
/// `NAME = { path = "<checkout>/NAME" }`. At least one line must be a git
/// dependency, so the README cannot drop them unnoticed.
fn path_dependencies(deps: &str, checkout: &Path) -> Result<String> {
    let mut out = String::new();
    let mut rewritten = 0;
    for line in deps.lines() {
        let code = line.split('#').next().unwrap_or_default();
        match code.split_once('=') {
            Some((name, value)) if value.contains("git =") => {
                let name = name.trim();
                let path = checkout.join(name);
                out.push_str(&format!(
                    "{name} = {{ path = {:?} }}\n",
                    path.display().to_string()
                ));
                rewritten += 1;
            }
            _ => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    if rewritten == 0 {
        return Err(Error::new(
            "README.md's [dependencies] block has no `git = ...` line to build from a checkout",
        ));
    }
    Ok(out)
}

fn manifest(deps: &str) -> String {
    format!(
        "[package]\nname = \"readme-kernel\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n{deps}"
    )
}

fn lib_rs(sketch: &str) -> String {
    format!(
        "#![no_std]\n\
         #![allow(dead_code, reason = \"kmain is called by boot code the sketch leaves out\")]\n\n\
         {sketch}\n\
         /// The power-off the sketch leaves to the reader.\n\
         fn shutdown() -> ! {{\n    loop {{\n        core::hint::spin_loop();\n    }}\n}}\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const README: &str = "text\n```toml\n[dependencies]\nldex-core = { git = \"https://x/ldex\" }  # note\n# ldex-core = { path = \"../ldex/ldex-core\" }\n```\n```sh\ncargo run\n```\n```rust,ignore\nfn main() {}\n```\n";

    #[test]
    fn fenced_finds_blocks_by_language_and_skips_others() {
        assert_eq!(fenced(README, "rust"), ["fn main() {}\n"]);
        assert_eq!(fenced(README, "sh"), ["cargo run\n"]);
        assert_eq!(fenced(README, "toml").len(), 1);
    }

    #[test]
    fn git_dependencies_become_paths_into_the_checkout_and_comments_stay() {
        let deps = &fenced(README, "toml")[0];
        let out = path_dependencies(deps, Path::new("/src/ldex")).unwrap();
        assert_eq!(
            out,
            "[dependencies]\nldex-core = { path = \"/src/ldex/ldex-core\" }\n# ldex-core = { path = \"../ldex/ldex-core\" }\n"
        );
    }

    #[test]
    fn a_readme_without_git_dependencies_is_an_error() {
        assert!(
            path_dependencies("[dependencies]\nldex-core = \"0.1\"\n", Path::new("/")).is_err()
        );
    }
}

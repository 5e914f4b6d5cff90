//! Building the example kernels and user programs: binary packages of the
//! separate examples workspace (`examples/Cargo.toml`), built in release
//! mode for bare-metal targets. Cargo runs inside `examples/` so that its
//! `.cargo/config.toml` (linker scripts, runner) applies, and reports the
//! executables it produced as JSON, which is how xtask finds them.

use crate::arches::{Build, Cc, Programs};
use crate::cmd::{Cmd, Error, Result};
use std::path::PathBuf;

/// The examples workspace directory.
pub fn dir() -> PathBuf {
    crate::root().join("examples")
}

/// Whether the examples workspace exists yet.
pub fn exists() -> bool {
    dir().join("Cargo.toml").is_file()
}

/// Builds the package of `build` with `extra_features`; returns the
/// executable `build.bin` and, if asked, the package's executable `also`
/// (firmware from the same build).
pub fn kernel(
    build: &Build,
    extra_features: &[&str],
    also: Option<&str>,
) -> Result<(PathBuf, Option<PathBuf>)> {
    let features: Vec<&str> = build
        .features
        .iter()
        .chain(extra_features)
        .copied()
        .collect();
    let exes = cargo_build(&[build.package], build.target, &features)?;
    let from = format!("package {}", build.package);
    let kernel = pick(&exes, build.bin, &from)?;
    let also = also.map(|bin| pick(&exes, bin, &from)).transpose()?;
    Ok((kernel, also))
}

/// `elf`'s loadable bytes as a raw image beside it (`NAME.img`), by the
/// `llvm-objcopy` of rustup's `llvm-tools` component.
pub fn raw_image(elf: &std::path::Path) -> Result<PathBuf> {
    let sysroot = Cmd::new("rustc").args(["--print", "sysroot"]).read()?;
    let version = Cmd::new("rustc").arg("-vV").read()?;
    let host = version
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .ok_or_else(|| Error::new("rustc -vV names no host"))?;
    let objcopy = PathBuf::from(sysroot.trim())
        .join("lib/rustlib")
        .join(host.trim())
        .join("bin/llvm-objcopy");
    if !objcopy.is_file() {
        return Err(Error::new(format!(
            "{} not found: `rustup component add llvm-tools`",
            objcopy.display()
        )));
    }
    let image = elf.with_extension("img");
    Cmd::new(&objcopy)
        .args(["-O", "binary"])
        .arg(elf)
        .arg(&image)
        .run()?;
    Ok(image)
}

/// Builds the user programs and returns the ELFs called `names`, in that
/// order (a name may repeat).
pub fn programs(programs: &Programs, names: &[&str]) -> Result<Vec<PathBuf>> {
    let exes = cargo_build(programs.packages, programs.target, &[])?;
    let from = format!("packages {:?}", programs.packages);
    names.iter().map(|name| pick(&exes, name, &from)).collect()
}

/// Builds `examples/c/<source>` with `cc` (`-static -O2`, warnings are
/// errors) into `target/xtask/c/<compiler>/`, and returns the executable.
pub fn c_program(cc: Cc, source: &str) -> Result<PathBuf> {
    let compiler = cc.compiler();
    if !crate::cmd::on_path(compiler) {
        return Err(Error::new(format!(
            "`{compiler}` not found: install it with `apt-get install {}` (.ci/run does)",
            cc.package()
        )));
    }
    let out_dir = crate::out_dir().join("c").join(compiler);
    std::fs::create_dir_all(&out_dir)
        .map_err(|e| Error::new(format!("cannot create {}: {e}", out_dir.display())))?;
    let exe = out_dir.join(source.trim_end_matches(".c"));
    Cmd::new(compiler)
        .args(["-static", "-O2", "-Wall", "-Wextra", "-Werror", "-o"])
        .arg(&exe)
        .arg(dir().join("c").join(source))
        .run()?;
    Ok(exe)
}

/// The executable called `name` among `exes`.
fn pick(exes: &[PathBuf], name: &str, from: &str) -> Result<PathBuf> {
    exes.iter()
        .find(|exe| exe.file_name().is_some_and(|n| n == name))
        .cloned()
        .ok_or_else(|| {
            Error::new(format!(
                "`{name}` is not among the executables built from {from}: {exes:?}"
            ))
        })
}

/// `cargo build --release` of `packages` for `target`; returns the
/// executables cargo reports.
fn cargo_build(packages: &[&str], target: &str, features: &[&str]) -> Result<Vec<PathBuf>> {
    if !exists() {
        return Err(Error::new(format!(
            "{} does not exist yet",
            dir().join("Cargo.toml").display()
        )));
    }
    let mut cmd = Cmd::cargo().dir(&dir()).args([
        "build",
        "--release",
        "--message-format=json-render-diagnostics",
        "--target",
        target,
    ]);
    for package in packages {
        cmd = cmd.args(["-p", package]);
    }
    if !features.is_empty() {
        cmd = cmd.args(["--features", &features.join(",")]);
    }
    Ok(executables(&cmd.read()?))
}

/// The `"executable"` paths of cargo's JSON messages.
fn executables(json_lines: &str) -> Vec<PathBuf> {
    json_lines
        .lines()
        .filter(|line| line.contains(r#""reason":"compiler-artifact""#))
        .filter_map(|line| json_string_field(line, "executable"))
        .map(PathBuf::from)
        .collect()
}

/// The string value of `"key":"..."` in one JSON line, unescaped; `None`
/// when absent or not a string (cargo writes `"executable":null` for libs).
fn json_string_field(line: &str, key: &str) -> Option<String> {
    let start = line.find(&format!(r#""{key}":""#))? + key.len() + 4;
    let mut value = String::new();
    let mut chars = line[start..].chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(value),
            '\\' => match chars.next()? {
                'n' => value.push('\n'),
                't' => value.push('\t'),
                other => value.push(other),
            },
            c => value.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn executables_come_from_artifact_lines_and_skip_libraries() {
        let json = concat!(
            r#"{"reason":"compiler-artifact","target":{"name":"core"},"executable":null}"#,
            "\n",
            r#"{"reason":"compiler-artifact","target":{"name":"k"},"executable":"/x/t/release/k","fresh":true}"#,
            "\n",
            r#"{"reason":"build-finished","success":true}"#,
        );
        assert_eq!(executables(json), [PathBuf::from("/x/t/release/k")]);
    }

    #[test]
    fn json_string_field_unescapes_quotes_and_backslashes() {
        let line = r#"{"executable":"/a \"b\"\\c","x":1}"#;
        assert_eq!(
            json_string_field(line, "executable").as_deref(),
            Some(r#"/a "b"\c"#)
        );
    }
}

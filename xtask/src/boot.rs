//! One boot from sources: build the kernel and the user programs, pack the
//! programs into a cpio initrd, run QEMU. `cargo xtask test` adds the
//! verdict and transcript checks of a [`Boot`]; `qemu` and `bench-qemu`
//! use the same preparation.

use crate::arches::{Arch, Boot, Outcome};
use crate::cmd::{Error, Result};
use crate::examples::{self, short};
use crate::qemu::{Run, Verdict};
use crate::transcript::Expectations;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A built kernel and a packed initrd, ready to boot.
pub struct Prepared {
    /// The kernel ELF.
    pub kernel: PathBuf,
    /// The cpio newc initrd.
    pub initrd: PathBuf,
}

/// What goes into the initrd.
pub enum Initrd<'a> {
    /// Bundled programs by binary name, in order (`None`: all of them).
    Bundled(Option<&'a [&'a str]>),
    /// ELF files given by the user, in order.
    Files(&'a [PathBuf]),
}

/// Builds the kernel (with `features`) and writes the initrd to
/// `target/xtask/<arch>/<label>.cpio`.
pub fn prepare(arch: &Arch, features: &[&str], initrd: Initrd, label: &str) -> Result<Prepared> {
    let kernel = examples::kernel(&arch.kernel, features)?;
    let files = match initrd {
        Initrd::Bundled(select) => examples::programs(&arch.programs, select)?,
        Initrd::Files(files) => files.to_vec(),
    };
    let mut contents = Vec::with_capacity(files.len());
    for file in &files {
        let data = std::fs::read(file)
            .map_err(|e| Error::new(format!("cannot read program {}: {e}", file.display())))?;
        let name = file.file_name().and_then(|n| n.to_str()).ok_or_else(|| {
            Error::new(format!(
                "program path {} has no UTF-8 file name",
                file.display()
            ))
        })?;
        contents.push((name.to_owned(), data));
    }
    let archive = crate::cpio::archive(contents.iter().map(|(n, d)| (n.as_str(), d.as_slice())))?;
    let dir = crate::out_dir().join(arch.name);
    let initrd = dir.join(format!("{label}.cpio"));
    write(&initrd, &archive)?;
    println!(
        "initrd {}: {} programs, {} bytes",
        short(&initrd),
        files.len(),
        archive.len()
    );
    Ok(Prepared { kernel, initrd })
}

/// Runs `boot` of `arch` and checks its verdict and transcript; the
/// console goes to `target/xtask/<arch>/<boot>.log`.
pub fn check(arch: &Arch, boot: &Boot) -> Result {
    let what = format!("{} boot `{}`", arch.name, boot.name);
    let expect = Expectations::load(&crate::root().join(boot.expect))?;
    let prepared = prepare(
        arch,
        boot.kernel_features,
        Initrd::Bundled(boot.programs),
        boot.name,
    )?;
    let ended = Run {
        arch,
        kernel: &prepared.kernel,
        initrd: &prepared.initrd,
        cmdline: boot.cmdline,
        extra_args: &[],
        timeout: Some(Duration::from_secs(boot.timeout_secs)),
        interactive: false,
    }
    .run()?;
    let log = crate::out_dir()
        .join(arch.name)
        .join(format!("{}.log", boot.name));
    write(&log, ended.transcript.as_bytes())?;
    let mut failures = Vec::new();
    match (&ended.verdict, boot.outcome) {
        (Verdict::Success, Outcome::Success) | (Verdict::Failure(_), Outcome::Failure) => {}
        (Verdict::Success, Outcome::Failure) => {
            failures.push(
                "QEMU reported success, but this boot must end in a kernel failure".to_owned(),
            );
        }
        (Verdict::Failure(why), Outcome::Success) => failures.push(why.clone()),
        (Verdict::TimedOut(limit), _) => {
            failures.push(format!(
                "no exit after {} s: QEMU killed (hung kernel?)",
                limit.as_secs()
            ));
        }
    }
    if let Err(broken) = expect.check(&ended.transcript) {
        failures.extend(broken);
    }
    if failures.is_empty() {
        println!("{what}: passed in {:.1} s", ended.elapsed.as_secs_f64());
        Ok(())
    } else {
        Err(Error::new(format!(
            "{what} failed (console in {}):\n  {}",
            short(&log),
            failures.join("\n  ")
        )))
    }
}

fn write(path: &Path, bytes: &[u8]) -> Result {
    let parent = path.parent().expect("xtask output paths have a parent");
    std::fs::create_dir_all(parent)
        .and_then(|()| std::fs::write(path, bytes))
        .map_err(|e| Error::new(format!("cannot write {}: {e}", path.display())))
}

/// `cargo xtask qemu <arch> [ELF...]`: boots the given programs (the
/// bundled ones when none), with the terminal attached, and fails unless
/// the kernel reports success.
pub fn interactive(
    arch: &Arch,
    cmdline: Option<&str>,
    files: &[PathBuf],
    timeout: Option<Duration>,
) -> Result {
    let initrd = if files.is_empty() {
        Initrd::Bundled(None)
    } else {
        Initrd::Files(files)
    };
    let prepared = prepare(arch, &[], initrd, "qemu")?;
    let ended = Run {
        arch,
        kernel: &prepared.kernel,
        initrd: &prepared.initrd,
        cmdline: cmdline.unwrap_or(arch.default_cmdline),
        extra_args: &[],
        timeout,
        interactive: true,
    }
    .run()?;
    match ended.verdict {
        Verdict::Success => Ok(()),
        Verdict::Failure(why) => Err(Error::new(why)),
        Verdict::TimedOut(limit) => Err(Error::new(format!(
            "QEMU killed after {} s",
            limit.as_secs()
        ))),
    }
}

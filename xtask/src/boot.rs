//! One boot from sources: build the kernel and the user programs, pack the
//! programs into a cpio initrd, run QEMU. `cargo xtask test` adds the
//! verdict and transcript checks of a [`Boot`]; `qemu` and `bench-qemu`
//! use the same preparation.

use crate::arches::{Arch, Boot, Entry, Exit, Initrd, KernelFormat, Outcome};
use crate::cmd::{Error, Result};
use crate::examples;
use std::io::{IsTerminal, Read};

use crate::qemu::{Run, Verdict};
use crate::short;
use crate::transcript::Expectations;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A built kernel (and firmware) and a packed initrd, ready to boot.
pub struct Prepared {
    /// The kernel, as [`Qemu::kernel_format`](crate::arches::Qemu) says.
    pub kernel: PathBuf,
    /// The `-bios` firmware, if the arch builds one.
    pub firmware: Option<PathBuf>,
    /// The cpio newc initrd, unless the boot has none.
    pub initrd: Option<PathBuf>,
}

impl Prepared {
    /// A QEMU run of this kernel and initrd; `extra_args` go last.
    pub fn run<'a>(
        &'a self,
        arch: &'a Arch,
        cmdline: &'a str,
        extra_args: &'a [&'a str],
        timeout: Option<Duration>,
    ) -> Run<'a> {
        Run {
            arch,
            kernel: &self.kernel,
            firmware: self.firmware.as_deref(),
            initrd: self.initrd.as_deref(),
            cmdline,
            extra_args,
            timeout,
            interactive: false,
            input: None,
        }
    }
}

/// Where the initrd's files come from.
pub enum Source<'a> {
    /// A descriptor's initrd.
    Spec(Initrd),
    /// ELF files given on the command line, in order.
    Files(&'a [PathBuf]),
}

/// Builds the kernel (with `features`) and writes the initrd to
/// `target/xtask/<arch>/<label>.cpio`.
pub fn prepare(arch: &Arch, features: &[&str], source: Source, label: &str) -> Result<Prepared> {
    let (kernel, firmware) = examples::kernel(&arch.kernel, features, arch.firmware)?;
    let kernel = match arch.qemu.kernel_format {
        KernelFormat::Elf => kernel,
        KernelFormat::Raw => examples::raw_image(&kernel)?,
    };
    let files: Vec<(String, Vec<u8>)> = match source {
        Source::Spec(Initrd::Absent) => {
            println!("no initrd for this boot");
            return Ok(Prepared {
                kernel,
                firmware,
                initrd: None,
            });
        }
        Source::Spec(Initrd::Bundled) => examples::programs(&arch.programs, arch.programs.bins)?
            .iter()
            .map(|path| read(path))
            .collect::<Result<_>>()?,
        Source::Spec(Initrd::Entries(entries)) => entries_contents(arch, entries)?,
        Source::Spec(Initrd::Repeated(entries, times)) => {
            let once = entries_contents(arch, entries)?;
            let total = once.len() * times;
            once.into_iter().cycle().take(total).collect()
        }
        Source::Files(paths) => paths.iter().map(|path| read(path)).collect::<Result<_>>()?,
    };
    let archive = crate::cpio::archive(files.iter().map(|(n, d)| (n.as_str(), d.as_slice())))?;
    let initrd = crate::out_dir()
        .join(arch.name)
        .join(format!("{label}.cpio"));
    write(&initrd, &archive)?;
    println!(
        "initrd {}: {} files, {} bytes",
        short(&initrd),
        files.len(),
        archive.len()
    );
    Ok(Prepared {
        kernel,
        firmware,
        initrd: Some(initrd),
    })
}

/// The named contents of `entries`, building the programs they name.
fn entries_contents(arch: &Arch, entries: &[Entry]) -> Result<Vec<(String, Vec<u8>)>> {
    let bins: Vec<&str> = entries
        .iter()
        .filter_map(|entry| match entry {
            Entry::Bin(bin) | Entry::Named(_, bin) => Some(*bin),
            Entry::Bytes(..) | Entry::File(..) | Entry::C(..) => None,
        })
        .collect();
    let built = if bins.is_empty() {
        Vec::new()
    } else {
        examples::programs(&arch.programs, &bins)?
    };
    let mut built = built.iter();
    let mut next_built = || built.next().expect("one built path per Bin/Named entry");
    entries
        .iter()
        .map(|entry| match *entry {
            Entry::Bin(_) => read(next_built()),
            Entry::Named(name, _) => Ok((name.to_owned(), read(next_built())?.1)),
            Entry::Bytes(name, bytes) => Ok((name.to_owned(), bytes.to_vec())),
            Entry::File(name, path) => Ok((name.to_owned(), read(&crate::root().join(path))?.1)),
            Entry::C(name, cc, source) => {
                Ok((name.to_owned(), read(&examples::c_program(cc, source)?)?.1))
            }
        })
        .collect()
}

/// A program file's name (its last path component) and contents.
fn read(path: &Path) -> Result<(String, Vec<u8>)> {
    let data = std::fs::read(path)
        .map_err(|e| Error::new(format!("cannot read program {}: {e}", path.display())))?;
    let name = path.file_name().and_then(|n| n.to_str()).ok_or_else(|| {
        Error::new(format!(
            "program path {} has no UTF-8 file name",
            path.display()
        ))
    })?;
    Ok((name.to_owned(), data))
}

/// Whether a boot that ended with `verdict` has the `wanted` outcome; the
/// reason when not.
pub fn judge(verdict: &Verdict, wanted: Outcome, exit: Exit) -> std::result::Result<(), String> {
    match (verdict, wanted) {
        (Verdict::TimedOut(limit), _) => Err(format!(
            "no exit after {} s: QEMU killed (hung kernel?)",
            limit.as_secs()
        )),
        (Verdict::Success, Outcome::Success) | (Verdict::Failure { .. }, Outcome::Failure) => {
            Ok(())
        }
        (Verdict::Success, Outcome::ExitCode(code)) if code == exit.success => Ok(()),
        (
            Verdict::Failure {
                code: Some(got), ..
            },
            Outcome::ExitCode(code),
        ) if *got == code => Ok(()),
        (Verdict::Success, _) => Err(format!(
            "QEMU exited with the success code {}, want {wanted:?}",
            exit.success
        )),
        (Verdict::Failure { why, .. }, _) => Err(format!("{why}; want {wanted:?}")),
    }
}

/// Runs `boot` of `arch` and checks its verdict and transcript; the
/// console goes to `target/xtask/<arch>/<boot>.log`.
pub fn check(arch: &Arch, boot: &Boot) -> Result {
    let what = format!("{} boot `{}`", arch.name, boot.name);
    let expect = Expectations::load(boot.expect)?;
    let prepared = prepare(
        arch,
        boot.kernel_features,
        Source::Spec(boot.initrd),
        boot.name,
    )?;
    let timeout = Some(Duration::from_secs(boot.timeout_secs));
    let ended = Run {
        input: boot
            .input
            .map(|t| (t.after.to_owned(), t.text.repeat(t.times).into_bytes())),
        ..prepared.run(arch, boot.cmdline, boot.qemu_args, timeout)
    }
    .run()?;
    let log = crate::out_dir()
        .join(arch.name)
        .join(format!("{}.log", boot.name));
    write(&log, ended.transcript.as_bytes())?;
    let mut failures: Vec<String> = judge(&ended.verdict, boot.outcome, arch.exit)
        .err()
        .into_iter()
        .collect();
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
/// bundled ones when none; no initrd for a starter kernel, which bundles
/// none) on `smp` CPUs (QEMU's `-smp`; its default, 1, when `None`), with
/// the terminal attached, and fails unless the kernel reports success. A standard input that is not a terminal (`printf 'hi\n' |
/// cargo xtask qemu ...`) is typed on the guest's console once the kernel
/// is up, followed by an end of file.
pub fn interactive(
    arch: &Arch,
    cmdline: Option<&str>,
    files: &[PathBuf],
    timeout: Option<Duration>,
    smp: Option<u32>,
) -> Result {
    let source = match (files.is_empty(), arch.programs.bins.is_empty()) {
        (false, _) => Source::Files(files),
        (true, false) => Source::Spec(Initrd::Bundled),
        (true, true) => Source::Spec(Initrd::Absent),
    };
    let prepared = prepare(arch, &[], source, "qemu")?;
    let cmdline = cmdline.unwrap_or(arch.default_cmdline);
    let input = if std::io::stdin().is_terminal() {
        None
    } else {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| Error::new(format!("reading standard input: {e}")))?;
        Some((String::new(), bytes))
    };
    let cpus = smp.map(|n| n.to_string());
    let smp_args: Vec<&str> = cpus.iter().flat_map(|n| ["-smp", n.as_str()]).collect();
    let ended = Run {
        interactive: true,
        input,
        ..prepared.run(arch, cmdline, &smp_args, timeout)
    }
    .run()?;
    judge(&ended.verdict, Outcome::Success, arch.exit).map_err(Error::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failed(code: Option<i32>) -> Verdict {
        Verdict::Failure {
            code,
            why: format!("QEMU ended with {code:?}"),
        }
    }

    #[test]
    fn success_and_failure_outcomes_accept_only_their_verdicts() {
        let exit = Exit::ISA_DEBUG_EXIT;
        assert_eq!(judge(&Verdict::Success, Outcome::Success, exit), Ok(()));
        assert_eq!(judge(&failed(Some(35)), Outcome::Failure, exit), Ok(()));
        assert!(judge(&failed(Some(35)), Outcome::Success, exit).is_err());
        assert!(judge(&Verdict::Success, Outcome::Failure, exit).is_err());
    }

    #[test]
    fn exit_code_outcome_wants_that_exact_code() {
        let exit = Exit::ISA_DEBUG_EXIT;
        assert_eq!(judge(&failed(Some(3)), Outcome::ExitCode(3), exit), Ok(()));
        assert!(judge(&failed(Some(5)), Outcome::ExitCode(3), exit).is_err());
        assert!(judge(&failed(None), Outcome::ExitCode(3), exit).is_err());
        assert_eq!(
            judge(&Verdict::Success, Outcome::ExitCode(33), exit),
            Ok(())
        );
    }

    #[test]
    fn a_timeout_fails_every_outcome() {
        let hung = Verdict::TimedOut(Duration::from_secs(60));
        for wanted in [Outcome::Success, Outcome::Failure, Outcome::ExitCode(3)] {
            let why = judge(&hung, wanted, Exit::SIFIVE_TEST).unwrap_err();
            assert!(why.contains("no exit after 60 s"), "{why}");
        }
    }
}

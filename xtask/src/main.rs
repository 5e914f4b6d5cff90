//! The `cargo xtask` command line (see `cargo xtask help`).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use xtask::cmd::{Error, Result};
use xtask::{arches, bench, boot, test};

const USAGE: &str = "\
usage: cargo xtask <command>

  test [--list] [STEP...]   every check, in order, stopping at the first failure;
                            STEP prefixes pick steps (`--list` names them)
  qemu <arch> [--cmdline TEXT] [--timeout SECS] [ELF...]
                            build the kernel and an initrd of the ELF files (the
                            bundled programs by default), boot, show the console
  bench-qemu <arch>         guest instruction counts under -icount shift=0,sleep=off
  bench                     criterion benches + bench-qemu for every arch, then
                            rewrite the tables of docs/performance.md
  help                      this text

environment: LDEX_REQUIRE_QEMU=1 makes a missing QEMU a failure instead of a
SKIPPED line; CI=<non-empty> selects the nextest profile `ci`.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, rest)) = args.split_first() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let result = match command.as_str() {
        "test" => {
            let list = rest.iter().any(|a| a == "--list");
            let only: Vec<String> = rest.iter().filter(|a| *a != "--list").cloned().collect();
            test::main(&only, list)
        }
        "qemu" => qemu(rest),
        "bench-qemu" => match rest {
            [arch] => bench::qemu_main(arch),
            _ => usage_error("bench-qemu takes exactly one arch"),
        },
        "bench" if rest.is_empty() => bench::main(),
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            Ok(())
        }
        other => usage_error(&format!(
            "unknown command or arguments: {other} {}",
            rest.join(" ")
        )),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.to_string().starts_with("usage: ") => {
            eprintln!("{e}\n\n{USAGE}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("\nerror: {e}");
            ExitCode::FAILURE
        }
    }
}

fn usage_error(msg: &str) -> Result {
    Err(Error::new(format!("usage: {msg}")))
}

fn qemu(args: &[String]) -> Result {
    let Some((arch, mut rest)) = args.split_first() else {
        return usage_error("qemu needs an arch");
    };
    let arch = arches::find(arch)?;
    let (mut cmdline, mut timeout, mut files) = (None, None, Vec::new());
    while let Some((arg, tail)) = rest.split_first() {
        rest = tail;
        match arg.as_str() {
            "--cmdline" | "--timeout" => {
                let Some((value, tail)) = rest.split_first() else {
                    return usage_error(&format!("{arg} needs a value"));
                };
                rest = tail;
                if arg == "--cmdline" {
                    cmdline = Some(value.as_str());
                } else {
                    let secs = value.parse().map_err(|_| {
                        Error::new(format!(
                            "usage: --timeout wants whole seconds, not {value:?}"
                        ))
                    })?;
                    timeout = Some(Duration::from_secs(secs));
                }
            }
            flag if flag.starts_with("--") => {
                return usage_error(&format!("unknown option {flag}"));
            }
            file => files.push(PathBuf::from(file)),
        }
    }
    boot::interactive(arch, cmdline, &files, timeout)
}

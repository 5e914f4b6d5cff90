//! The `cargo xtask` command line (see `cargo xtask help`).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use xtask::{arches, bench, boot, fuzz, test};

const USAGE: &str = "\
usage: cargo xtask <command>

  test [--list] [STEP...]   every check, in order, stopping at the first failure;
                            STEP prefixes pick steps (`--list` names them)
  qemu <arch> [--cmdline TEXT] [--timeout SECS] [--smp N] [ELF...]
                            build the kernel and an initrd of the ELF files (the
                            bundled programs by default), boot on N CPUs (1 by
                            default), show the console
  bench-qemu <arch> [--profile]
                            guest instruction counts under -icount shift=0,sleep=off;
                            --profile: each round trip's instructions by function
  bench-sim                 the sim's traps/s and context switches/s, then
                            rewrite that table of docs/performance.md
  bench                     swtch vs corosensei, bench-qemu for every arch,
                            bench-sim and the policy benches, then rewrite
                            every table of docs/performance.md
  fuzz [--seconds N] [TARGET...]
                            AFL++ (cargo-afl) on every parser of outside input,
                            N seconds per target (default 60); fails on a crash
  help                      this text

environment: LDEX_REQUIRE_QEMU=1 makes a missing QEMU a failure instead of a
SKIPPED line; CI=<non-empty> selects the nextest profile `ci`.";

/// A parsed command line.
#[derive(Debug, PartialEq)]
enum Task {
    Test {
        only: Vec<String>,
        list: bool,
    },
    Qemu {
        arch: String,
        cmdline: Option<String>,
        timeout: Option<Duration>,
        smp: Option<u32>,
        files: Vec<PathBuf>,
    },
    BenchQemu {
        arch: String,
        profile: bool,
    },
    BenchSim,
    Bench,
    Fuzz {
        seconds: u64,
        targets: Vec<String>,
    },
    Help,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let task = match parse(&args) {
        Ok(task) => task,
        Err(why) => {
            eprintln!("usage error: {why}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let result = match task {
        Task::Test { only, list } => test::main(&only, list),
        Task::Qemu {
            arch,
            cmdline,
            timeout,
            smp,
            files,
        } => arches::find(&arch)
            .and_then(|arch| boot::interactive(arch, cmdline.as_deref(), &files, timeout, smp)),
        Task::BenchQemu { arch, profile } => bench::qemu_main(&arch, profile),
        Task::BenchSim => bench::sim_main(),
        Task::Bench => bench::main(),
        Task::Fuzz { seconds, targets } => fuzz::main(seconds, &targets),
        Task::Help => {
            println!("{USAGE}");
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nerror: {e}");
            ExitCode::FAILURE
        }
    }
}

fn parse(args: &[String]) -> std::result::Result<Task, String> {
    let Some((command, rest)) = args.split_first() else {
        return Err("no command".to_owned());
    };
    match (command.as_str(), rest) {
        ("test", _) => Ok(Task::Test {
            list: rest.iter().any(|a| a == "--list"),
            only: rest.iter().filter(|a| *a != "--list").cloned().collect(),
        }),
        ("qemu", [arch, rest @ ..]) => parse_qemu(arch, rest),
        ("qemu", []) => Err("qemu needs an arch".to_owned()),
        ("bench-qemu", [arch]) => Ok(Task::BenchQemu {
            arch: arch.clone(),
            profile: false,
        }),
        ("bench-qemu", [arch, flag]) if flag == "--profile" => Ok(Task::BenchQemu {
            arch: arch.clone(),
            profile: true,
        }),
        ("bench-qemu", _) => Err("bench-qemu takes one arch and maybe --profile".to_owned()),
        ("bench-sim", []) => Ok(Task::BenchSim),
        ("bench", []) => Ok(Task::Bench),
        ("fuzz", rest) => parse_fuzz(rest),
        ("help" | "--help" | "-h", _) => Ok(Task::Help),
        _ => Err(format!("unknown command or arguments: {}", args.join(" "))),
    }
}

fn parse_fuzz(mut rest: &[String]) -> std::result::Result<Task, String> {
    let (mut seconds, mut targets) = (fuzz::DEFAULT_SECONDS, Vec::new());
    while let Some((arg, tail)) = rest.split_first() {
        rest = tail;
        match arg.as_str() {
            "--seconds" => {
                let Some((value, tail)) = rest.split_first() else {
                    return Err("--seconds needs a value".to_owned());
                };
                rest = tail;
                seconds = match value.parse() {
                    Ok(n) if n > 0 => n,
                    _ => return Err(format!("--seconds wants whole seconds, not {value:?}")),
                };
            }
            flag if flag.starts_with("--") => return Err(format!("unknown option {flag}")),
            target => targets.push(target.to_owned()),
        }
    }
    Ok(Task::Fuzz { seconds, targets })
}

fn parse_qemu(arch: &str, mut rest: &[String]) -> std::result::Result<Task, String> {
    let (mut cmdline, mut timeout, mut smp, mut files) = (None, None, None, Vec::new());
    while let Some((arg, tail)) = rest.split_first() {
        rest = tail;
        match arg.as_str() {
            "--cmdline" | "--timeout" | "--smp" => {
                let Some((value, tail)) = rest.split_first() else {
                    return Err(format!("{arg} needs a value"));
                };
                rest = tail;
                match arg.as_str() {
                    "--cmdline" => cmdline = Some(value.clone()),
                    "--timeout" => {
                        let secs = value
                            .parse()
                            .map_err(|_| format!("--timeout wants whole seconds, not {value:?}"))?;
                        timeout = Some(Duration::from_secs(secs));
                    }
                    _ => {
                        smp = Some(value.parse().ok().filter(|&n| n >= 1).ok_or_else(|| {
                            format!("--smp wants a number of CPUs (1 or more), not {value:?}")
                        })?);
                    }
                }
            }
            flag if flag.starts_with("--") => return Err(format!("unknown option {flag}")),
            file => files.push(PathBuf::from(file)),
        }
    }
    Ok(Task::Qemu {
        arch: arch.to_owned(),
        cmdline,
        timeout,
        smp,
        files,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<String> {
        line.split(' ').map(str::to_owned).collect()
    }

    #[test]
    fn qemu_options_and_files_are_parsed_in_any_order() {
        let task = parse(&args(
            "qemu riscv64 a.elf --cmdline trace --timeout 9 --smp 4 b.elf",
        ))
        .unwrap();
        assert_eq!(
            task,
            Task::Qemu {
                arch: "riscv64".into(),
                cmdline: Some("trace".into()),
                timeout: Some(Duration::from_secs(9)),
                smp: Some(4),
                files: vec!["a.elf".into(), "b.elf".into()],
            }
        );
    }

    #[test]
    fn bad_command_lines_are_usage_errors_saying_what_is_wrong() {
        assert_eq!(parse(&args("qemu")).unwrap_err(), "qemu needs an arch");
        assert_eq!(
            parse(&args("qemu x86_64 --cmdline")).unwrap_err(),
            "--cmdline needs a value"
        );
        assert_eq!(
            parse(&args("qemu x86_64 --fast")).unwrap_err(),
            "unknown option --fast"
        );
        assert_eq!(
            parse(&args("qemu x86_64 --smp 0")).unwrap_err(),
            "--smp wants a number of CPUs (1 or more), not \"0\""
        );
        assert_eq!(
            parse(&args("bench extra")).unwrap_err(),
            "unknown command or arguments: bench extra"
        );
        assert!(parse(&[]).is_err());
    }

    #[test]
    fn fuzz_takes_seconds_and_targets_in_any_order() {
        assert_eq!(
            parse(&args("fuzz elf --seconds 120 dtb")).unwrap(),
            Task::Fuzz {
                seconds: 120,
                targets: vec!["elf".into(), "dtb".into()]
            }
        );
        assert_eq!(
            parse(&args("fuzz")).unwrap(),
            Task::Fuzz {
                seconds: fuzz::DEFAULT_SECONDS,
                targets: vec![]
            }
        );
        assert_eq!(
            parse(&args("fuzz --seconds 0")).unwrap_err(),
            "--seconds wants whole seconds, not \"0\""
        );
    }

    #[test]
    fn test_takes_step_prefixes_and_list() {
        let task = parse(&args("test clippy --list qemu")).unwrap();
        assert_eq!(
            task,
            Task::Test {
                only: vec!["clippy".into(), "qemu".into()],
                list: true
            }
        );
    }
}

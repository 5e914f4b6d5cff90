//! The command line of `ldex-sim`.

use std::fmt;

/// What the command line asks for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Args {
    /// `--scenario FILE`.
    pub scenario: Option<String>,
    /// `--policy NAME`.
    pub policy: Option<String>,
    /// `--quantum N`.
    pub quantum: Option<u64>,
    /// `--cooperative`.
    pub cooperative: bool,
    /// `--cpu-limit N`.
    pub cpu_limit: Option<u64>,
    /// `--cpus N`.
    pub cpus: Option<usize>,
    /// `--svg FILE`.
    pub svg: Option<String>,
    /// `--trace-off`.
    pub trace_off: bool,
    /// `--help`.
    pub help: bool,
}

/// A command line that cannot be understood.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}\n\n{USAGE}", self.0)
    }
}

/// The usage text.
pub const USAGE: &str = "\
usage: ldex-sim [--scenario FILE] [--policy NAME] [--quantum TICKS] [--cooperative]
                [--cpu-limit TICKS] [--cpus N] [--svg FILE] [--trace-off]
       ldex-sim ostep FILE [--text] [--svg OUT.svg]

Runs a scenario (by default, the built-in one: a process that makes system
calls, one that spins for ever and one that tries a privileged instruction)
on a simulated machine through the ldex-core protocol, and prints the
protocol's timeline in OSTEP's three columns, each process's result and a
summary.

  --scenario FILE   programs in the scenario format (docs/scenario-format.md)
  --policy NAME     the scheduling policy
  --quantum TICKS   the quantum of the policies that have one
  --cooperative     no timer: only system calls, yields and faults return
                    control to the kernel
  --cpu-limit TICKS end a process that has run this many ticks
  --cpus N          a machine of N CPUs (1 to 8; fifo and rr only, above 1)
  --svg FILE        also draw the run as an SVG timeline
  --trace-off       print only the results and the summary

`ldex-sim ostep FILE` replays OSTEP homework-simulator cases (the
ldex-ostep-ref/1 schema) through ldex-core's policies on this machine: JSON
results on stdout, `N passed, M failed` on stderr, exit 0 only when all
pass; `--text` prints what the OSTEP simulator prints with -c; `--svg`
draws each case's schedule (I/O and boosts marked).";

fn value<'a>(
    flag: &str,
    it: &mut impl Iterator<Item = &'a String>,
) -> Result<&'a String, UsageError> {
    it.next()
        .ok_or_else(|| UsageError(format!("{flag} needs a value")))
}

fn number(flag: &str, v: &str) -> Result<u64, UsageError> {
    v.parse()
        .map_err(|_| UsageError(format!("{flag} takes a number, not {v:?}")))
}

/// Read the command line (without the program name).
pub fn parse(args: &[String]) -> Result<Args, UsageError> {
    let mut out = Args::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--scenario" => out.scenario = Some(value(a, &mut it)?.clone()),
            "--policy" => out.policy = Some(value(a, &mut it)?.clone()),
            "--quantum" => {
                let q = number(a, value(a, &mut it)?)?;
                if q == 0 {
                    return Err(UsageError("--quantum must be at least 1".into()));
                }
                out.quantum = Some(q);
            }
            "--cpu-limit" => out.cpu_limit = Some(number(a, value(a, &mut it)?)?),
            "--cpus" => {
                let n = number(a, value(a, &mut it)?)?;
                if !(1..=ldex_core::MAX_CPUS as u64).contains(&n) {
                    return Err(UsageError(format!(
                        "--cpus must be 1 to {}",
                        ldex_core::MAX_CPUS
                    )));
                }
                out.cpus = Some(n as usize);
            }
            "--cooperative" => out.cooperative = true,
            "--svg" => out.svg = Some(value(a, &mut it)?.clone()),
            "--trace-off" => out.trace_off = true,
            "--help" | "-h" => out.help = true,
            other => return Err(UsageError(format!("unknown argument {other:?}"))),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn flags_are_read() {
        let a = parse(&args(
            "--policy rr --quantum 3 --cooperative --svg x.svg --trace-off",
        ))
        .unwrap();
        assert_eq!(a.policy.as_deref(), Some("rr"));
        assert_eq!(a.quantum, Some(3));
        assert!(a.cooperative && a.trace_off);
        assert_eq!(a.svg.as_deref(), Some("x.svg"));
    }

    #[test]
    fn bad_flags_are_usage_errors() {
        assert!(
            parse(&args("--quantum"))
                .unwrap_err()
                .0
                .contains("needs a value")
        );
        assert!(
            parse(&args("--quantum x"))
                .unwrap_err()
                .0
                .contains("takes a number")
        );
        assert!(
            parse(&args("--quantum 0"))
                .unwrap_err()
                .0
                .contains("at least 1")
        );
        assert!(
            parse(&args("--frobnicate"))
                .unwrap_err()
                .0
                .contains("unknown argument")
        );
    }

    #[test]
    fn cpus_takes_1_to_8() {
        assert_eq!(parse(&args("--cpus 4")).unwrap().cpus, Some(4));
        for bad in ["--cpus 0", "--cpus 9"] {
            assert!(parse(&args(bad)).unwrap_err().0.contains("1 to 8"), "{bad}");
        }
    }
}

//! The kernel command line (`-append` in QEMU): space-separated words.
//!
//! | word         | meaning                                             |
//! |--------------|-----------------------------------------------------|
//! | `trace`      | print the protocol timeline (`[trace] ...` lines)   |
//! | `cpulimit=N` | kill a process after N timer ticks of CPU time      |
//! | `quantum=N`  | the scheduling time slice, in ticks                 |
//! | `restart=N`  | a process whose code faults starts over, N times at most (`FaultPolicy::Restart`) |
//! | `tick=MS`    | the timer tick of every CPU, in milliseconds (default 10) |
//!
//! Anything else is a [`Problem`], which the kernel prints and ignores.

use core::fmt;

use ldex_core::{Config, FaultPolicy};

/// The settings the command line chose.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CmdLine<'a> {
    /// `trace` was given.
    pub trace: bool,
    /// `cpulimit=N`.
    pub cpu_limit: Option<u64>,
    /// `quantum=N`.
    pub quantum: Option<u64>,
    /// `restart=N`.
    pub restarts: Option<u32>,
    /// `tick=MS`.
    pub tick_ms: Option<u64>,
    line: &'a str,
}

/// A word the parser did not accept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem<'a> {
    /// Not a known option.
    Unknown(&'a str),
    /// A known `key=` with a value that is not a positive number.
    BadValue {
        /// The key.
        key: &'a str,
        /// The value.
        value: &'a str,
    },
}

impl fmt::Display for Problem<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Unknown(word) => write!(f, "unknown command line option `{word}` (ignored)"),
            Problem::BadValue { key, value } => {
                write!(f, "`{key}={value}`: expected a positive number (ignored)")
            }
        }
    }
}

enum Word<'a> {
    Trace,
    CpuLimit(u64),
    Quantum(u64),
    Restart(u32),
    Tick(u64),
    Bad(Problem<'a>),
}

fn number<'a, N: core::str::FromStr + PartialOrd + Default>(
    key: &'a str,
    value: &'a str,
) -> Result<N, Problem<'a>> {
    match value.parse::<N>() {
        Ok(n) if n > N::default() => Ok(n),
        _ => Err(Problem::BadValue { key, value }),
    }
}

fn word(w: &str) -> Word<'_> {
    match w.split_once('=') {
        None if w == "trace" => Word::Trace,
        Some(("cpulimit", v)) => number("cpulimit", v).map_or_else(Word::Bad, Word::CpuLimit),
        Some(("quantum", v)) => number("quantum", v).map_or_else(Word::Bad, Word::Quantum),
        Some(("restart", v)) => number("restart", v).map_or_else(Word::Bad, Word::Restart),
        Some(("tick", v)) => number("tick", v).map_or_else(Word::Bad, Word::Tick),
        _ => Word::Bad(Problem::Unknown(w)),
    }
}

impl<'a> CmdLine<'a> {
    /// Parse `line`. Later words override earlier ones.
    pub fn parse(line: &'a str) -> CmdLine<'a> {
        let mut c = CmdLine {
            line,
            ..CmdLine::default()
        };
        for w in line.split_ascii_whitespace() {
            match word(w) {
                Word::Trace => c.trace = true,
                Word::CpuLimit(n) => c.cpu_limit = Some(n),
                Word::Quantum(n) => c.quantum = Some(n),
                Word::Restart(n) => c.restarts = Some(n),
                Word::Tick(n) => c.tick_ms = Some(n),
                Word::Bad(_) => {}
            }
        }
        c
    }

    /// `config` with the command line's CPU-time limit and fault policy,
    /// where it gives them.
    pub fn apply(&self, mut config: Config) -> Config {
        if let Some(ticks) = self.cpu_limit {
            config = config.with_cpu_limit(ticks);
        }
        if let Some(limit) = self.restarts {
            config = config.with_fault_policy(FaultPolicy::Restart { limit });
        }
        config
    }

    /// The words that were not understood, in order.
    pub fn problems(&self) -> impl Iterator<Item = Problem<'a>> + 'a {
        self.line
            .split_ascii_whitespace()
            .filter_map(|w| match word(w) {
                Word::Bad(p) => Some(p),
                _ => None,
            })
    }
}

#[cfg(test)]
mod tests {
    use std::string::ToString;
    use std::vec::Vec;

    use core::time::Duration;

    use super::*;

    #[test]
    fn known_words_set_their_fields() {
        let c = CmdLine::parse("  trace cpulimit=50\tquantum=2 ");
        assert!(c.trace);
        assert_eq!((c.cpu_limit, c.quantum), (Some(50), Some(2)));
        assert_eq!(c.problems().count(), 0);
    }

    #[test]
    fn an_empty_line_changes_nothing() {
        let c = CmdLine::parse("");
        assert_eq!((c.trace, c.cpu_limit, c.quantum), (false, None, None));
        assert_eq!(
            c.apply(Config::preemptive(Duration::from_millis(10))),
            Config::preemptive(Duration::from_millis(10))
        );
    }

    #[test]
    fn cpulimit_becomes_the_configs_cpu_limit() {
        let c = CmdLine::parse("cpulimit=30");
        assert_eq!(
            c.apply(Config::preemptive(Duration::from_millis(10)))
                .cpu_limit,
            Some(30)
        );
    }

    #[test]
    fn restart_makes_faults_restart_the_process_that_many_times() {
        let c = CmdLine::parse("restart=3");
        assert_eq!(c.restarts, Some(3));
        assert_eq!(
            c.apply(Config::preemptive(Duration::from_millis(10)))
                .fault_policy,
            FaultPolicy::Restart { limit: 3 }
        );
        assert_eq!(
            CmdLine::parse("restart=0").problems().collect::<Vec<_>>(),
            [Problem::BadValue {
                key: "restart",
                value: "0"
            }]
        );
    }

    #[test]
    fn tick_sets_the_period_in_milliseconds_and_refuses_zero() {
        assert_eq!(CmdLine::parse("tick=5000").tick_ms, Some(5000));
        let zero = CmdLine::parse("tick=0");
        assert_eq!(zero.tick_ms, None);
        assert_eq!(
            zero.problems().collect::<Vec<_>>(),
            [Problem::BadValue {
                key: "tick",
                value: "0"
            }]
        );
    }

    #[test]
    fn unknown_words_and_bad_values_are_reported_and_ignored() {
        let c = CmdLine::parse("console=ttyS0 cpulimit=abc quantum=0 trace=1 cpulimit=9");
        assert_eq!(c.cpu_limit, Some(9));
        assert_eq!(c.quantum, None);
        assert!(!c.trace);
        let problems: Vec<_> = c.problems().collect();
        assert_eq!(
            problems,
            [
                Problem::Unknown("console=ttyS0"),
                Problem::BadValue {
                    key: "cpulimit",
                    value: "abc"
                },
                Problem::BadValue {
                    key: "quantum",
                    value: "0"
                },
                Problem::Unknown("trace=1"),
            ]
        );
        assert_eq!(
            problems[0].to_string(),
            "unknown command line option `console=ttyS0` (ignored)"
        );
    }
}

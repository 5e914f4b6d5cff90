//! The scenario text format (documented in `docs/scenario-format.md`).
//!
//! One directive per line; `#` starts a comment. Settings come first, then
//! `process NAME [arrival=N] [length=N] [tickets=N]` lines, each followed by
//! that program's instructions. Every error names the line and column.

use std::fmt;

use ldex_core::sched::Hint;

use crate::run::MAX_PROCS;
use crate::scenario::{Op, PrivOp, ProcSpec, Scenario, Settings};

/// A scenario file that cannot be read, with where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub col: usize,
    /// What is wrong.
    pub msg: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.col, self.msg)
    }
}

impl std::error::Error for ParseError {}

/// One word of a line, with its column.
#[derive(Clone, Debug)]
struct Word {
    col: usize,
    text: String,
    quoted: bool,
}

fn err<T>(line: usize, col: usize, msg: impl Into<String>) -> Result<T, ParseError> {
    Err(ParseError {
        line,
        col,
        msg: msg.into(),
    })
}

/// Split a line into words; a double-quoted word may hold spaces and the
/// escapes `\"`, `\\` and `\n`.
fn words(line: usize, text: &str) -> Result<Vec<Word>, ParseError> {
    let mut out = Vec::new();
    let mut chars = text.chars().enumerate().peekable();
    while let Some(&(i, c)) = chars.peek() {
        if c == '#' {
            break;
        }
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let col = i + 1;
        if c == '"' {
            chars.next();
            let mut s = String::new();
            loop {
                match chars.next() {
                    None => return err(line, col, "unterminated string"),
                    Some((_, '"')) => break,
                    Some((j, '\\')) => match chars.next() {
                        Some((_, '"')) => s.push('"'),
                        Some((_, '\\')) => s.push('\\'),
                        Some((_, 'n')) => s.push('\n'),
                        _ => return err(line, j + 1, "unknown escape (use \\\" \\\\ or \\n)"),
                    },
                    Some((_, ch)) => s.push(ch),
                }
            }
            out.push(Word {
                col,
                text: s,
                quoted: true,
            });
        } else {
            let mut s = String::new();
            while let Some(&(_, ch)) = chars.peek() {
                if ch.is_whitespace() || ch == '#' {
                    break;
                }
                s.push(ch);
                chars.next();
            }
            out.push(Word {
                col,
                text: s,
                quoted: false,
            });
        }
    }
    Ok(out)
}

fn number<T: std::str::FromStr>(line: usize, w: &Word, what: &str) -> Result<T, ParseError> {
    if w.quoted {
        return err(
            line,
            w.col,
            format!("{what} must be a number, not a string"),
        );
    }
    w.text
        .parse()
        .or_else(|_| err(line, w.col, format!("bad number {:?} for {what}", w.text)))
}

/// Exactly `n` arguments after the directive.
fn args<'a>(line: usize, ws: &'a [Word], n: usize, usage: &str) -> Result<&'a [Word], ParseError> {
    let rest = &ws[1..];
    if rest.len() < n {
        let col = ws[0].col + ws[0].text.chars().count();
        return err(line, col, format!("missing field: usage is `{usage}`"));
    }
    if rest.len() > n {
        return err(
            line,
            rest[n].col,
            format!("unexpected {:?}: usage is `{usage}`", rest[n].text),
        );
    }
    Ok(rest)
}

/// Op `ws[0]`, which takes no arguments: `op` if none follow.
fn no_args(line: usize, ws: &[Word], op: Op) -> Result<Op, ParseError> {
    args(line, ws, 0, &ws[0].text)?;
    Ok(op)
}

/// The one number argument of op `ws[0]`, named after the op in errors.
fn op_number<T: std::str::FromStr>(line: usize, ws: &[Word], usage: &str) -> Result<T, ParseError> {
    number(line, &args(line, ws, 1, usage)?[0], &ws[0].text)
}

fn op(line: usize, ws: &[Word]) -> Result<Op, ParseError> {
    let name = ws[0].text.as_str();
    Ok(match name {
        "compute" => Op::Compute(op_number(line, ws, "compute TICKS")?),
        "write" => {
            let a = &args(line, ws, 1, "write \"TEXT\"")?[0];
            if !a.quoted {
                return err(line, a.col, "write takes a double-quoted string");
            }
            Op::Write(a.text.clone())
        }
        "write-kernel-pointer" => no_args(line, ws, Op::WriteKernelPointer)?,
        "getpid" => no_args(line, ws, Op::GetPid)?,
        "syscall" => {
            if ws.len() < 2 {
                return args(line, ws, 1, "syscall NR [ARG...]").map(|_| unreachable!());
            }
            if ws.len() > 8 {
                return err(line, ws[8].col, "a system call takes at most 6 arguments");
            }
            let nr = number(line, &ws[1], "the system call number")?;
            let a = ws[2..]
                .iter()
                .map(|w| number(line, w, "an argument"))
                .collect::<Result<_, _>>()?;
            Op::Syscall(nr, a)
        }
        "yield" => no_args(line, ws, Op::Yield)?,
        "io" => Op::Io(op_number(line, ws, "io TICKS")?),
        "kernel-work" => Op::KernelWork(op_number(line, ws, "kernel-work TICKS")?),
        "spin" => no_args(line, ws, Op::Spin)?,
        "privileged" => {
            let a = &args(line, ws, 1, "privileged set-trap-table|stop-timer")?[0];
            Op::Privileged(match a.text.as_str() {
                "set-trap-table" => PrivOp::SetTrapTable,
                "stop-timer" => PrivOp::StopTimer,
                other => {
                    return err(
                        line,
                        a.col,
                        format!("unknown privileged op {other:?} (set-trap-table, stop-timer)"),
                    );
                }
            })
        }
        "touch-kernel" => no_args(line, ws, Op::TouchKernel)?,
        "divide-by-zero" => no_args(line, ws, Op::DivideByZero)?,
        "exit" => Op::Exit(op_number(line, ws, "exit CODE")?),
        other => return err(line, ws[0].col, format!("unknown op {other:?}")),
    })
}

fn process(line: usize, ws: &[Word]) -> Result<ProcSpec, ParseError> {
    let usage = "process NAME [arrival=N] [length=N] [tickets=N]";
    let Some(name) = ws.get(1) else {
        return args(line, ws, 1, usage).map(|_| unreachable!());
    };
    let mut spec = ProcSpec {
        name: name.text.clone(),
        arrival: 0,
        hint: Hint::NONE,
        program: Vec::new(),
    };
    for w in &ws[2..] {
        let Some((key, value)) = w.text.split_once('=') else {
            return err(
                line,
                w.col,
                format!("expected KEY=VALUE, found {:?}: usage is `{usage}`", w.text),
            );
        };
        let vw = Word {
            col: w.col + key.len() + 1,
            text: value.into(),
            quoted: false,
        };
        match key {
            "arrival" => spec.arrival = number(line, &vw, "arrival")?,
            "length" => spec.hint.length = Some(number(line, &vw, "length")?),
            "tickets" => {
                spec.hint.tickets = number(line, &vw, "tickets")?;
                if spec.hint.tickets == 0 {
                    return err(line, vw.col, "tickets must be at least 1");
                }
            }
            other => return err(line, w.col, format!("unknown process field {other:?}")),
        }
    }
    Ok(spec)
}

/// Read a scenario.
pub fn parse(text: &str) -> Result<Scenario, ParseError> {
    let mut settings = Settings::default();
    let mut procs: Vec<ProcSpec> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let ws = words(line, raw)?;
        let Some(first) = ws.first() else { continue };
        match first.text.as_str() {
            "policy" => settings.policy = args(line, &ws, 1, "policy NAME")?[0].text.clone(),
            "quantum" => {
                let a = &args(line, &ws, 1, "quantum TICKS")?[0];
                settings.quantum = number(line, a, "quantum")?;
                if settings.quantum == 0 {
                    return err(line, a.col, "quantum must be at least 1");
                }
            }
            "cpu-limit" => {
                let a = &args(line, &ws, 1, "cpu-limit TICKS|none")?[0];
                settings.cpu_limit = if a.text == "none" {
                    None
                } else {
                    Some(number(line, a, "cpu-limit")?)
                };
            }
            "cpus" => {
                let a = &args(line, &ws, 1, "cpus N")?[0];
                settings.cpus = number(line, a, "cpus")?;
                if !(1..=ldex_core::MAX_CPUS).contains(&settings.cpus) {
                    return err(
                        line,
                        a.col,
                        format!("cpus must be 1 to {}", ldex_core::MAX_CPUS),
                    );
                }
            }
            "bound" => {
                settings.bound = number(line, &args(line, &ws, 1, "bound TICKS")?[0], "bound")?
            }
            "max-ticks" => {
                settings.max_ticks = number(
                    line,
                    &args(line, &ws, 1, "max-ticks TICKS")?[0],
                    "max-ticks",
                )?
            }
            "kernel-preemption" => {
                let a = &args(line, &ws, 1, "kernel-preemption on|off")?[0];
                settings.kernel_preemption = match a.text.as_str() {
                    "on" => true,
                    "off" => false,
                    other => {
                        return err(
                            line,
                            a.col,
                            format!("kernel-preemption is `on` or `off`, not {other:?}"),
                        );
                    }
                };
            }
            "cooperative" => {
                args(line, &ws, 0, "cooperative")?;
                settings.preemptive = false;
            }
            "preemptive" => {
                args(line, &ws, 0, "preemptive")?;
                settings.preemptive = true;
            }
            "process" => {
                if procs.len() == MAX_PROCS {
                    return err(
                        line,
                        first.col,
                        format!(
                            "too many processes: a scenario holds at most {MAX_PROCS} \
                             (the simulated process table's size)"
                        ),
                    );
                }
                procs.push(process(line, &ws)?)
            }
            _ => match procs.last_mut() {
                Some(p) => p.program.push(op(line, &ws)?),
                None => {
                    return match op(line, &ws) {
                        Ok(_) => err(line, first.col, "an instruction before any `process` line"),
                        Err(_) => err(
                            line,
                            first.col,
                            format!("unknown directive {:?}", first.text),
                        ),
                    };
                }
            },
        }
    }
    if procs.is_empty() {
        return err(
            text.lines().count().max(1),
            1,
            "the scenario has no `process`",
        );
    }
    Ok(Scenario { settings, procs })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_at(text: &str) -> (usize, usize, String) {
        let e = parse(text).unwrap_err();
        (e.line, e.col, e.msg)
    }

    #[test]
    fn default_scenario_parses() {
        let s = parse(crate::scenario::DEFAULT).unwrap();
        assert_eq!(s.procs.len(), 3);
        assert_eq!(s.settings.cpu_limit, Some(8));
    }

    #[test]
    fn unknown_op_is_reported_with_line_and_column() {
        let (l, c, m) = error_at("process a\n  compute 1\n  jump 3\n");
        assert_eq!((l, c), (3, 3));
        assert!(m.contains("unknown op \"jump\""), "{m}");
    }

    #[test]
    fn bad_number_is_reported_with_line_and_column() {
        let (l, c, m) = error_at("process a\n  compute x1\n");
        assert_eq!((l, c), (2, 11));
        assert!(m.contains("bad number"), "{m}");
    }

    #[test]
    fn missing_field_is_reported_with_line_and_column() {
        let (l, c, m) = error_at("process a\n  exit\n");
        assert_eq!((l, c), (2, 7));
        assert!(m.contains("missing field"), "{m}");
        let (l, _, m) = error_at("quantum\nprocess a\n");
        assert_eq!(l, 1);
        assert!(m.contains("missing field"), "{m}");
    }

    #[test]
    fn cpus_reads_1_to_8_and_names_the_range_otherwise() {
        assert_eq!(parse("cpus 4\nprocess a\n").unwrap().settings.cpus, 4);
        assert_eq!(parse("process a\n").unwrap().settings.cpus, 1);
        for bad in ["cpus 0\n", "cpus 9\n"] {
            let (l, c, m) = error_at(bad);
            assert_eq!((l, c), (1, 6), "{bad}");
            assert!(m.contains("cpus must be 1 to 8"), "{m}");
        }
    }

    #[test]
    fn strings_keep_spaces_and_escapes() {
        let s = parse("process a\n  write \"a \\\"b\\\" # c\"  # comment\n").unwrap();
        assert_eq!(s.procs[0].program, vec![Op::Write("a \"b\" # c".into())]);
    }

    #[test]
    fn process_fields_are_checked() {
        let s = parse("process a arrival=3 length=7 tickets=5\n spin\n").unwrap();
        assert_eq!(
            (
                s.procs[0].arrival,
                s.procs[0].hint.length,
                s.procs[0].hint.tickets
            ),
            (3, Some(7), 5)
        );
        let (l, c, m) = error_at("process a speed=3\n");
        assert_eq!((l, c), (1, 11));
        assert!(m.contains("unknown process field"), "{m}");
        assert!(error_at("process a tickets=0\n").2.contains("at least 1"));
    }

    #[test]
    fn empty_and_stray_input_are_errors() {
        assert!(error_at("# nothing\n").2.contains("no `process`"));
        assert!(error_at("spin\n").2.contains("before any `process`"));
        assert!(error_at("\"unterminated\n").2.contains("unterminated"));
    }
}

#[cfg(test)]
mod round_trip {
    use super::*;

    #[test]
    fn to_text_reads_back_as_the_same_scenario() {
        let text = "policy rr\nquantum 3\ncpu-limit 9\nkernel-preemption on\nprocess a arrival=2 length=5 tickets=3\n \
                    compute 2\n write \"hi \\\"x\\\"\"\n write-kernel-pointer\n getpid\n syscall 7 1 2\n yield\n io 3\n \
                    kernel-work 2\n privileged stop-timer\n touch-kernel\n divide-by-zero\n spin\n exit -4\n\
                    process b\n exit 0\n";
        let s = parse(text).unwrap();
        assert_eq!(parse(&s.to_text()).unwrap(), s);
    }
}

//! Expectation files: what a QEMU boot's console transcript must show.
//!
//! ```text
//! # Blank lines and lines starting with '#' are ignored.
//! forbid: panicked           no transcript line may contain this text
//!
//! program: hello             starts a group, checked on its own
//! line: hello, world         a transcript line equal to this (trailing
//!                            whitespace and \r ignored on both sides)
//! line: [pid 1 hello] exit 0
//!
//! program: spinner
//! contains: killed: cpu time a transcript line containing this text
//! once: [pid 2 spinner] killed: CPU time limit
//!                            like `line:`, and no other transcript line
//!                            equals it (e.g. a process ends exactly once)
//! ```
//!
//! A group's `line:`/`contains:`/`once:` rules must match transcript lines
//! in the order written, with any other output (other processes, the kernel)
//! allowed in between; groups are independent of each other, so processes
//! may interleave freely. Rules before the first `program:` form the group
//! `boot`. `forbid:` rules hold for the whole transcript wherever they are
//! written. Matching is case-sensitive.

use crate::cmd::{Error, Result};

/// One rule of a group, or a forbidden text.
#[derive(Debug, PartialEq)]
enum Rule {
    Line(String),
    Contains(String),
    Once(String),
}

impl Rule {
    fn matches(&self, line: &str) -> bool {
        match self {
            Rule::Line(want) | Rule::Once(want) => line.trim_end() == want,
            Rule::Contains(want) => line.contains(want.as_str()),
        }
    }

    fn describe(&self) -> String {
        match self {
            Rule::Line(want) | Rule::Once(want) => format!("line {want:?}"),
            Rule::Contains(want) => format!("a line containing {want:?}"),
        }
    }
}

/// A rule with the expectation-file line it came from.
#[derive(Debug)]
struct Sourced<T> {
    at: usize,
    item: T,
}

#[derive(Debug)]
struct Group {
    name: String,
    rules: Vec<Sourced<Rule>>,
}

/// A parsed expectation file.
#[derive(Debug)]
pub struct Expectations {
    file: String,
    forbid: Vec<Sourced<String>>,
    groups: Vec<Group>,
}

impl Expectations {
    /// Reads and parses the expectation file at `path`, relative to the
    /// repository root (and named so in messages).
    pub fn load(path: &str) -> Result<Self> {
        let text = std::fs::read_to_string(crate::root().join(path))
            .map_err(|e| Error::new(format!("cannot read expectation file {path}: {e}")))?;
        Self::parse(path, &text)
    }

    /// Parses expectation-file text; `file` names it in messages.
    pub fn parse(file: &str, text: &str) -> Result<Self> {
        let mut exp = Expectations {
            file: file.to_owned(),
            forbid: Vec::new(),
            groups: Vec::new(),
        };
        for (index, raw) in text.lines().enumerate() {
            let at = index + 1;
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = |why: &str| Error::new(format!("{file}:{at}: {why}: {line:?}"));
            let (directive, value) = line.split_once(':').ok_or_else(|| {
                bad("expected `forbid:`, `program:`, `line:`, `contains:` or `once:`")
            })?;
            let value = value.trim();
            if value.is_empty() {
                return Err(bad("empty text after the directive"));
            }
            let rule = match directive.trim() {
                "forbid" => {
                    exp.forbid.push(Sourced {
                        at,
                        item: value.to_owned(),
                    });
                    continue;
                }
                "program" => {
                    exp.groups.push(Group {
                        name: value.to_owned(),
                        rules: Vec::new(),
                    });
                    continue;
                }
                "line" => Rule::Line(value.to_owned()),
                "contains" => Rule::Contains(value.to_owned()),
                "once" => Rule::Once(value.to_owned()),
                _ => {
                    return Err(bad(
                        "unknown directive (known: forbid, program, line, contains, once)",
                    ));
                }
            };
            if exp.groups.is_empty() {
                exp.groups.push(Group {
                    name: "boot".to_owned(),
                    rules: Vec::new(),
                });
            }
            let group = exp.groups.last_mut().expect("a group was just ensured");
            group.rules.push(Sourced { at, item: rule });
        }
        if exp.groups.iter().all(|g| g.rules.is_empty()) {
            return Err(Error::new(format!(
                "{file}: no `line:`, `contains:` or `once:` rule: nothing would be checked"
            )));
        }
        Ok(exp)
    }

    /// Checks `transcript`; on failure returns one message per broken rule
    /// (the first unmatched rule of each group, every forbidden hit).
    pub fn check(&self, transcript: &str) -> std::result::Result<(), Vec<String>> {
        let cleaned: Vec<String> = transcript.lines().map(without_escapes).collect();
        let lines: Vec<&str> = cleaned.iter().map(String::as_str).collect();
        let mut failures = Vec::new();
        for group in &self.groups {
            let mut next = 0;
            for rule in &group.rules {
                match lines[next..].iter().position(|l| rule.item.matches(l)) {
                    Some(offset) => next += offset + 1,
                    None => {
                        let after = match next {
                            0 => "anywhere in the transcript".to_owned(),
                            n => format!("after transcript line {n} {:?}", lines[n - 1].trim_end()),
                        };
                        failures.push(format!(
                            "{}:{}: program {}: expected {} {after}",
                            self.file,
                            rule.at,
                            group.name,
                            rule.item.describe()
                        ));
                        break;
                    }
                }
            }
        }
        for group in &self.groups {
            for rule in &group.rules {
                if let Rule::Once(want) = &rule.item {
                    let seen: Vec<String> = (1..=lines.len())
                        .filter(|&n| lines[n - 1].trim_end() == want)
                        .map(|n| n.to_string())
                        .collect();
                    if seen.len() > 1 {
                        failures.push(format!(
                            "{}:{}: program {}: line {want:?} must appear once, but is on transcript lines {}",
                            self.file,
                            rule.at,
                            group.name,
                            seen.join(", ")
                        ));
                    }
                }
            }
        }
        for forbid in &self.forbid {
            for (index, line) in lines.iter().enumerate() {
                if line.contains(forbid.item.as_str()) {
                    failures.push(format!(
                        "{}:{}: forbidden {:?} appears on transcript line {}: {:?}",
                        self.file,
                        forbid.at,
                        forbid.item,
                        index + 1,
                        line.trim_end()
                    ));
                }
            }
        }
        if failures.is_empty() {
            Ok(())
        } else {
            Err(failures)
        }
    }
}

/// `line` without terminal escape sequences (firmware such as SeaBIOS
/// clears the screen with them), so they cannot break a match.
fn without_escapes(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c != '\x1b' {
            out.push(c);
        } else if chars.next() == Some('[') {
            // CSI: parameters and intermediates, then one final byte @..~.
            for c in chars.by_ref() {
                if ('@'..='~').contains(&c) {
                    break;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXPECT: &str = "\
# two programs that interleave
forbid: panicked
program: hello
line: hello, world
line: [pid 1 hello] exit 0
program: spinner
contains: [pid 2 spinner] killed:
";

    fn check(transcript: &str) -> std::result::Result<(), Vec<String>> {
        Expectations::parse("t.expect", EXPECT)
            .unwrap()
            .check(transcript)
    }

    #[test]
    fn interleaved_programs_with_other_output_pass() {
        let transcript = "OpenSBI v1.1\r\nhello, world\r\n[pid 2 spinner] killed: cpu time limit\r\n\
                          ldex: idle\r\n[pid 1 hello] exit 0\r\n";
        assert_eq!(check(transcript), Ok(()));
    }

    #[test]
    fn lines_of_one_program_out_of_order_fail_naming_rule_and_position() {
        let transcript = "[pid 1 hello] exit 0\nhello, world\n[pid 2 spinner] killed: x\n";
        let failures = check(transcript).unwrap_err();
        assert_eq!(
            failures,
            [
                "t.expect:5: program hello: expected line \"[pid 1 hello] exit 0\" \
              after transcript line 2 \"hello, world\""
            ]
        );
    }

    #[test]
    fn missing_line_fails_and_reports_each_group_once() {
        let failures = check("nothing useful\n").unwrap_err();
        assert_eq!(failures.len(), 2, "{failures:?}");
        assert!(
            failures[0].contains("expected line \"hello, world\" anywhere"),
            "{failures:?}"
        );
        assert!(failures[1].contains("program spinner"), "{failures:?}");
    }

    #[test]
    fn exact_line_rule_rejects_a_line_with_extra_text() {
        let transcript = "hello, world!\n[pid 1 hello] exit 0\n[pid 2 spinner] killed: x\n";
        assert!(check(transcript).is_err());
    }

    #[test]
    fn forbidden_text_fails_anywhere_with_its_transcript_line() {
        let transcript = "hello, world\n[pid 1 hello] exit 0\n[pid 2 spinner] killed: x\n\
                          kernel panicked at src/main.rs:3\n";
        let failures = check(transcript).unwrap_err();
        assert_eq!(
            failures,
            [
                "t.expect:2: forbidden \"panicked\" appears on transcript line 4: \
              \"kernel panicked at src/main.rs:3\""
            ]
        );
    }

    #[test]
    fn once_rule_passes_on_one_occurrence_and_names_every_line_of_a_repeat() {
        let exp = Expectations::parse("o", "program: p\nonce: [pid 1 p] exit 0\n").unwrap();
        assert_eq!(exp.check("a\n[pid 1 p] exit 0\n"), Ok(()));
        let failures = exp
            .check("[pid 1 p] exit 0\nb\n[pid 1 p] exit 0\r\n")
            .unwrap_err();
        assert_eq!(
            failures,
            [
                "o:2: program p: line \"[pid 1 p] exit 0\" must appear once, but is on transcript lines 1, 3"
            ]
        );
        assert!(
            exp.check("nothing\n").is_err(),
            "absent counts as a failure too"
        );
    }

    #[test]
    fn terminal_escapes_before_a_line_do_not_break_an_exact_match() {
        let exp = Expectations::parse("e", "line: ldex kernel\n").unwrap();
        assert_eq!(
            exp.check("\x1bc\x1b[?7l\x1b[2J\x1b[0mldex kernel\r\n"),
            Ok(())
        );
    }

    #[test]
    fn rules_before_any_program_form_the_boot_group() {
        let exp = Expectations::parse("b", "contains: ldex boot\nprogram: p\nline: x\n").unwrap();
        assert_eq!(exp.groups[0].name, "boot");
        assert_eq!(exp.check("ldex boot ok\nx\n"), Ok(()));
    }

    #[test]
    fn unknown_directive_is_an_error_naming_file_and_line() {
        let err = Expectations::parse("f.expect", "program: a\n\nlnie: x\n").unwrap_err();
        assert!(
            err.to_string().starts_with("f.expect:3: unknown directive"),
            "{err}"
        );
    }

    #[test]
    fn directive_without_text_or_colon_is_an_error() {
        assert!(Expectations::parse("f", "line:\n").is_err());
        assert!(Expectations::parse("f", "hello\n").is_err());
    }

    #[test]
    fn file_without_any_line_rule_is_an_error() {
        let err = Expectations::parse("f", "forbid: panic\nprogram: a\n").unwrap_err();
        assert!(
            err.to_string().contains("nothing would be checked"),
            "{err}"
        );
    }
}

//! `cmdline`: the kernel command line, on any UTF-8 text.
//!
//! Every word it reports as a problem must be a word of the line, and
//! every setting it takes must be positive.

use kernel_common::cmdline::{CmdLine, Problem};

pub(crate) fn run(data: &[u8]) {
    let Ok(line) = core::str::from_utf8(data) else {
        return;
    };
    let c = CmdLine::parse(line);
    assert!(
        c.cpu_limit != Some(0) && c.quantum != Some(0),
        "a zero setting was taken"
    );
    for problem in c.problems() {
        let word = match problem {
            Problem::Unknown(word) => word,
            Problem::BadValue { value, .. } => value,
        };
        assert!(
            line.contains(word),
            "problem {problem:?} is not from the line"
        );
        drop(problem.to_string());
    }
}

//! Rewriting the measured tables of `docs/performance.md`. Each table sits
//! between a pair of marker comments that `cargo xtask bench` owns:
//!
//! ```text
//! <!-- xtask-bench:begin qemu-riscv64 -->
//! (generated; everything here is replaced on each run)
//! <!-- xtask-bench:end qemu-riscv64 -->
//! ```
//!
//! Text outside the markers is left alone, so the prose around the tables
//! is written by hand.

/// The begin and end markers of the section `name`.
pub fn markers(name: &str) -> (String, String) {
    (
        format!("<!-- xtask-bench:begin {name} -->"),
        format!("<!-- xtask-bench:end {name} -->"),
    )
}

/// `doc` with the section `name` replaced by `body`; `None` when the
/// markers are missing or out of order.
pub fn replace(doc: &str, name: &str, body: &str) -> Option<String> {
    let (begin, end) = markers(name);
    let body_start = doc.find(&begin)? + begin.len();
    let body_end = body_start + doc[body_start..].find(&end)?;
    let body = body.trim_end();
    Some(format!(
        "{}\n{body}\n{}",
        &doc[..body_start],
        &doc[body_end..]
    ))
}

/// A Markdown table with `header` and `rows`.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let line = |cells: &[String]| format!("| {} |\n", cells.join(" | "));
    let mut out = line(&header.iter().map(|h| h.to_string()).collect::<Vec<_>>());
    out += &line(&header.iter().map(|_| "---".to_owned()).collect::<Vec<_>>());
    rows.iter().for_each(|row| out += &line(row));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "# Performance\n\nprose\n<!-- xtask-bench:begin host -->\nold\nrows\n\
                       <!-- xtask-bench:end host -->\nmore prose\n";

    #[test]
    fn replace_swaps_only_the_text_between_the_markers() {
        let new = replace(DOC, "host", "| a |\n").unwrap();
        assert_eq!(
            new,
            "# Performance\n\nprose\n<!-- xtask-bench:begin host -->\n| a |\n\
             <!-- xtask-bench:end host -->\nmore prose\n"
        );
        assert_eq!(
            replace(&new, "host", "| a |").unwrap(),
            new,
            "not idempotent"
        );
    }

    #[test]
    fn replace_without_markers_is_none() {
        assert_eq!(replace(DOC, "qemu-riscv64", "x"), None);
        assert_eq!(
            replace(
                "<!-- xtask-bench:end host --><!-- xtask-bench:begin host -->",
                "host",
                "x"
            ),
            None
        );
    }

    #[test]
    fn table_has_header_separator_and_rows() {
        let t = table(&["a", "b"], &[vec!["1".into(), "2".into()]]);
        assert_eq!(t, "| a | b |\n| --- | --- |\n| 1 | 2 |\n");
    }
}

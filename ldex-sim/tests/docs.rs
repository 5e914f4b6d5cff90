//! docs/protocol.md embeds the default run's output; this test keeps it
//! true. Regenerate with `LDEX_BLESS=1 cargo test -p ldex-sim --test docs`.

use ldex_sim::{parse, render, run, scenario};

const BEGIN: &str = "<!-- sim-output:begin -->\n```text\n";
const END: &str = "```\n<!-- sim-output:end -->";

fn default_output() -> String {
    let s = parse(scenario::DEFAULT).unwrap();
    let r = run(&s).unwrap();
    format!(
        "$ cargo run -p ldex-sim\n{}\n{}\n{}\n{}",
        render::header("default", &s.settings),
        r.timeline.render(),
        r.render_results(),
        r.render_summary()
    )
}

#[test]
fn protocol_md_shows_the_timeline_the_sim_prints() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/protocol.md");
    let doc = std::fs::read_to_string(path).expect("docs/protocol.md exists");
    let start = doc
        .find(BEGIN)
        .expect("protocol.md has the sim-output:begin marker")
        + BEGIN.len();
    let end = start
        + doc[start..]
            .find(END)
            .expect("protocol.md has the sim-output:end marker");
    let want = default_output();
    if std::env::var_os("LDEX_BLESS").is_some() {
        std::fs::write(path, format!("{}{}{}", &doc[..start], want, &doc[end..])).unwrap();
        return;
    }
    assert!(
        doc[start..end] == want,
        "docs/protocol.md is stale: run `LDEX_BLESS=1 cargo test -p ldex-sim --test docs`"
    );
}

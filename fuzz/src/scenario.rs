//! `scenario`: the simulator's scenario format, on any UTF-8 text.
//!
//! A refusal must name a line of the text; an accepted scenario must keep
//! the format's rules (a quantum and every process's tickets at least 1).

use ldex_sim::parse;

pub(crate) fn run(data: &[u8]) {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    match parse(text) {
        Ok(scenario) => {
            assert!(scenario.settings.quantum >= 1, "quantum 0 accepted");
            for p in &scenario.procs {
                assert!(p.hint.tickets >= 1, "{}: 0 tickets accepted", p.name);
            }
        }
        Err(why) => {
            assert!(
                (1..=text.lines().count().max(1)).contains(&why.line),
                "error on line {} of {}: {why}",
                why.line,
                text.lines().count()
            );
            drop(why.to_string());
        }
    }
}

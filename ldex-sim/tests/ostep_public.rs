//! Every public OSTEP reference case replays through ldex-core's policies
//! with results identical to the reference, printed strings included.

use ldex_sim::ostep;

const PUBLIC: &str = include_str!("data/ostep-public-cases.json");

#[test]
fn every_public_case_matches_the_reference() {
    let cases = ostep::parse(PUBLIC).expect("the public file parses");
    assert_eq!(cases.len(), 31);
    let mut failures = Vec::new();
    for case in &cases {
        match ostep::run(case) {
            Ok(out) => {
                if let Some(d) = ostep::first_difference(&case.expected, &out.actual) {
                    failures.push(format!("{}: {d}", case.id));
                }
            }
            Err(e) => failures.push(e),
        }
    }
    assert!(
        failures.is_empty(),
        "{} failing:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

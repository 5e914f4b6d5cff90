//! `ostep`: `ldex-sim ostep`'s reader of `ldex-ostep-ref/1` JSON cases, on
//! any UTF-8 text.

pub(crate) fn run(data: &[u8]) {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    match ldex_sim::ostep::parse(text) {
        Ok(cases) => cases.iter().for_each(|c| assert!(c.expected.is_object())),
        Err(why) => drop(why.to_string()),
    }
}

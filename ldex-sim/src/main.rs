//! The ldex simulator (placeholder until the lead lands it).

fn main() {}

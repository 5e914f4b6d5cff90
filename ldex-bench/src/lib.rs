//! Benchmarks of the ldex-core scheduling policies against axsched: see
//! `benches/policies.rs`, and `src/bin/perf-table.rs` for the tables of
//! docs/performance.md.
#![no_std]

//! Benchmarks only: see `benches/policies.rs`.
#![no_std]

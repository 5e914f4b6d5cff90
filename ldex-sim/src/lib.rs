//! ldex-sim: a simulated machine for the ldex-core protocol, and the OSTEP
//! homework replay ([`ostep`]).

pub mod ostep;

//! Hostile: `sidt` in ring 3, which without UMIP reveals the IDT's base
//! (expects, on a CPU with UMIP: killed: privileged instruction).
#![no_std]
#![no_main]

user::leak_probe!("umip-sidt", "sidt [{out}]", "the IDT's base");

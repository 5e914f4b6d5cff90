//! Hostile: `sldt` in ring 3, which without UMIP reveals the LDT selector
//! (expects, on a CPU with UMIP: killed: privileged instruction).
#![no_std]
#![no_main]

user::leak_probe!("umip-sldt", "sldt word ptr [{out}]", "the LDT selector");

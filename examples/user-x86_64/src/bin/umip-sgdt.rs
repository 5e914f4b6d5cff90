//! Hostile: `sgdt` in ring 3, which without UMIP reveals the GDT's base
//! (expects, on a CPU with UMIP: killed: privileged instruction).
#![no_std]
#![no_main]

user::leak_probe!("umip-sgdt", "sgdt [{out}]", "the GDT's base");

//! Hostile: `str` in ring 3, which without UMIP reveals the TSS selector
//! (expects, on a CPU with UMIP: killed: privileged instruction).
#![no_std]
#![no_main]

user::leak_probe!("umip-str", "str word ptr [{out}]", "the TSS selector");

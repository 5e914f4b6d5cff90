//! Hostile: `smsw` in ring 3, which without UMIP reveals CR0's low word
//! (expects, on a CPU with UMIP: killed: privileged instruction).
#![no_std]
#![no_main]

user::leak_probe!("umip-smsw", "smsw word ptr [{out}]", "CR0's low word");

//! Spins on one instruction and never calls the kernel. Expected: killed: CPU time limit (L ticks).
#![no_std]
#![no_main]

user::entry!(user::hostile::spin_forever);

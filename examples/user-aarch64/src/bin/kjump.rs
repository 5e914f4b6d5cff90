//! Jumps into the kernel image. Expected: killed: memory fault (user execute at 0x40200000).
#![no_std]
#![no_main]

user::entry!(user::hostile::kjump);

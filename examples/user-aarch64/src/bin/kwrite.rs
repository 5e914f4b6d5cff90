//! Stores to the kernel image. Expected: killed: memory fault (user write at 0x40200000).
#![no_std]
#![no_main]

user::entry!(user::hostile::kwrite);

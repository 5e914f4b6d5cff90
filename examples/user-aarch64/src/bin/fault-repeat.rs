//! Stores to the kernel image; the QEMU test boots it many times in a row. Expected each time: killed: memory fault (user write at 0x40200000).
#![no_std]
#![no_main]

user::entry!(user::hostile::fault_repeat);

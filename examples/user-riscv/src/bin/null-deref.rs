//! Loads from address 0. Expected: killed: memory fault (user read at 0x0).
#![no_std]
#![no_main]

user::entry!(user::hostile::null_deref);

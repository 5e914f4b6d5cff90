//! Points sp at the kernel, makes a system call (the kernel must not use the user sp), then pushes. Expected: killed: memory fault (user write at 0x402ffff0).
#![no_std]
#![no_main]

user::entry!(user::hostile::ksp_syscall);

//! A tiny `no_std` runtime for user programs of the ldex example kernels.
//!
//! The programs are static Linux-ABI executables: the kernel starts them at
//! `_start` with the Linux initial stack (argc, argv, envp, auxv), and they
//! talk to it only through the system calls in [`abi`]. Nothing here is
//! specific to ldex, which is the point: the same binaries would run on
//! Linux.
//!
//! * [`start`]: `_start`, which finds argc/argv and calls the program's main
//!   (declared with [`entry!`]), then exits with its result.
//! * [`initial`]: the registers the kernel started the program with.
//! * [`sys`]: the system calls, through each trap instruction of the arch
//!   (x86_64 has two: `syscall` and `int 0x80`).
//! * [`print!`]/[`println!`]: formatted output, one `write` per line so that
//!   lines from different processes never interleave.
//! * [`bench`]: the sampling loops every arch's `bench` program shares.
//! * [`hostile`]: the bodies of hostile programs alike on every arch.
//! * A panic prints its message and exits with code 101.
#![no_std]
#![forbid(unsafe_op_in_unsafe_fn)]

pub mod args;
pub mod bench;
pub mod hostile;
pub mod initial;
pub mod print;
pub mod probe;
pub mod start;
pub mod sys;

pub use args::Args;

/// Declare the program's main: `user::entry!(main);` with
/// `fn main(args: user::Args) -> i32`. Its result is the exit code.
#[macro_export]
macro_rules! entry {
    ($main:path) => {
        #[unsafe(no_mangle)]
        extern "Rust" fn __user_main(args: $crate::Args) -> i32 {
            $main(args)
        }
    };
}

#[cfg(target_os = "none")]
#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    eprintln!("panicked: {}", info.message());
    sys::exit(101)
}

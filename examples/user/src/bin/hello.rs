//! The smallest well-behaved program: say who it is and exit 0.
#![no_std]
#![no_main]

use user::{println, sys};

user::entry!(main);

fn main(_: user::Args) -> i32 {
    println!("hello from pid {}", sys::getpid());
    0
}

//! Reads standard input a line at a time and writes each line back as
//! `echo: LINE`, until a line `quit` or the end of input; exits 0. While
//! it waits for input it is blocked in `read(0)`, using no CPU: the
//! console's receive interrupt wakes it.
#![no_std]
#![no_main]

use user::{println, sys};

user::entry!(main);

fn main(_: user::Args) -> i32 {
    let mut line = [0u8; 128];
    let mut len = 0;
    let mut chunk = [0u8; 64];
    loop {
        let n = match sys::read(0, &mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) => {
                println!("echo: read failed: {e:?}");
                return 1;
            }
        };
        for &b in &chunk[..n] {
            if b != b'\n' && len < line.len() {
                line[len] = b;
                len += 1;
                continue;
            }
            let text = core::str::from_utf8(&line[..len]).unwrap_or("?");
            if text == "quit" {
                println!("echo: bye");
                return 0;
            }
            println!("echo: {text}");
            len = 0;
        }
    }
    println!("echo: end of input");
    0
}

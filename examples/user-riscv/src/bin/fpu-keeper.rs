//! Fills f0–f31 with a pattern unique to this process, yields many times
//! (other processes run and use FP meanwhile), and checks every register
//! still holds its pattern: the kernel's lazy FP save (sstatus.FS) must
//! keep each process's FP state. Booted twice, so two keepers interleave.
//!
//! Expected on rv64: exit 0. On rv32 the kernel saves no FP state and
//! starts processes with FS=Off, so the first FP instruction is refused:
//! killed: illegal instruction.
#![no_std]
#![no_main]

use user::{println, sys};

user::entry!(main);

const ROUNDS: usize = 20;

/// Load f0–f31 from `values`.
fn fill(values: &[u64; 32]) {
    // SAFETY: reads 32 doubles from `values`; only FP registers change.
    unsafe {
        core::arch::asm!(
            ".option push",
            ".option arch, +d",
            ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31",
            "fld f\\n, \\n*8({p})",
            ".endr",
            ".option pop",
            p = in(reg) values.as_ptr(),
        );
    }
}

/// Store f0–f31 into `values`.
fn dump(values: &mut [u64; 32]) {
    // SAFETY: writes 32 doubles into `values`.
    unsafe {
        core::arch::asm!(
            ".option push",
            ".option arch, +d",
            ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31",
            "fsd f\\n, \\n*8({p})",
            ".endr",
            ".option pop",
            p = in(reg) values.as_mut_ptr(),
        );
    }
}

fn main(_: user::Args) -> i32 {
    let pid = sys::getpid() as u64;
    println!("fpu-keeper {pid}: filling f0-f31");
    let mut want = [0u64; 32];
    for (i, w) in want.iter_mut().enumerate() {
        *w = (pid << 32) | (i as u64 * 0x0101_0101);
    }
    fill(&want);
    for _ in 0..ROUNDS {
        let _ = sys::sched_yield();
    }
    let mut got = [0u64; 32];
    dump(&mut got);
    if got != want {
        let bad = want.iter().zip(&got).position(|(w, g)| w != g).unwrap_or(0);
        println!(
            "fpu-keeper {pid}: f{bad} changed: {:#x} -> {:#x}",
            want[bad], got[bad]
        );
        return 1;
    }
    println!("fpu-keeper {pid}: all 32 FP registers survived {ROUNDS} yields");
    0
}

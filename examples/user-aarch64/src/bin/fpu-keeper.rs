//! Fills q0–q31 with a pattern unique to this process, yields many times
//! (other processes run and use FP meanwhile), and checks every register
//! still holds its pattern: the kernel must keep each process's FP state
//! (trapped on first use, then switched eagerly). Booted twice, so two
//! keepers interleave. Expected: exit 0.
#![no_std]
#![no_main]

use user::{println, sys};

user::entry!(main);

const ROUNDS: usize = 20;

/// Load q0–q31 from `values`.
fn fill(values: &[u128; 32]) {
    // SAFETY: reads 32 quadwords from `values`; only FP registers change.
    unsafe {
        core::arch::asm!(
            ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31",
            "ldr q\\n, [{p}, #\\n*16]",
            ".endr",
            p = in(reg) values.as_ptr(),
            out("v0") _, out("v1") _, out("v2") _, out("v3") _, out("v4") _, out("v5") _, out("v6") _, out("v7") _,
            out("v8") _, out("v9") _, out("v10") _, out("v11") _, out("v12") _, out("v13") _, out("v14") _, out("v15") _,
            out("v16") _, out("v17") _, out("v18") _, out("v19") _, out("v20") _, out("v21") _, out("v22") _, out("v23") _,
            out("v24") _, out("v25") _, out("v26") _, out("v27") _, out("v28") _, out("v29") _, out("v30") _, out("v31") _,
        );
    }
}

/// Store q0–q31 into `values`.
fn dump(values: &mut [u128; 32]) {
    // SAFETY: writes 32 quadwords into `values`.
    unsafe {
        core::arch::asm!(
            ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31",
            "str q\\n, [{p}, #\\n*16]",
            ".endr",
            p = in(reg) values.as_mut_ptr(),
        );
    }
}

fn main(_: user::Args) -> i32 {
    let pid = sys::getpid() as u128;
    println!("fpu-keeper {pid}: filling q0-q31");
    let mut want = [0u128; 32];
    for (i, w) in want.iter_mut().enumerate() {
        *w = (pid << 96) | ((i as u128) * 0x0101_0101_0101_0101_0101);
    }
    let mut got = [0u128; 32];
    // The loop below runs with no FP instruction of its own between the
    // fill and the dump (the system calls are plain svc), so every
    // register must come back as filled (`got` is zeroed before the fill,
    // as zeroing may go through q registers).
    fill(&want);
    for _ in 0..ROUNDS {
        let _ = sys::sched_yield();
    }
    dump(&mut got);
    if got != want {
        let bad = want.iter().zip(&got).position(|(w, g)| w != g).unwrap_or(0);
        println!(
            "fpu-keeper {pid}: q{bad} changed: {:#x} -> {:#x}",
            want[bad], got[bad]
        );
        return 1;
    }
    println!("fpu-keeper {pid}: all 32 FP/SIMD registers survived {ROUNDS} yields");
    0
}

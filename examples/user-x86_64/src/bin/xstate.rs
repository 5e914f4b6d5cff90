//! Per-process x86 state survives being switched out: an FS base set with
//! `arch_prctl(ARCH_SET_FS)` and a value in xmm0 are still there after
//! thousands of `sched_yield`s and timer preemptions while other processes
//! run (expects: exit 0).
#![no_std]
#![no_main]

use user::{println, sys};

user::entry!(main);

const ROUNDS: usize = 2000;

fn main(_: user::Args) -> i32 {
    let pid = sys::getpid() as u64;
    let block: [u64; 2] = [0, 0x5eed_0000 + pid];
    if sys::Gate::Syscall.set_fs_base(block.as_ptr() as usize) != Ok(0) {
        println!("xstate: arch_prctl(ARCH_SET_FS) failed");
        return 1;
    }
    for round in 0..ROUNDS {
        let (through_fs, from_xmm): (u64, u64);
        // SAFETY: FS points at `block`; only xmm0 and the syscall clobbers
        // are touched.
        unsafe {
            core::arch::asm!(
                "mov {v}, qword ptr fs:[8]",
                "movq xmm0, {v}",
                "mov eax, 24",
                "syscall",
                "mov {v}, qword ptr fs:[8]",
                "movq {x}, xmm0",
                v = out(reg) through_fs,
                x = out(reg) from_xmm,
                out("rax") _, out("rcx") _, out("r11") _, out("xmm0") _,
            )
        };
        if through_fs != block[1] || from_xmm != block[1] {
            println!("xstate: round {round}: fs:[8] = {through_fs:#x}, xmm0 = {from_xmm:#x}");
            return 1;
        }
    }
    println!("xstate: FS base and xmm0 survived {ROUNDS} switches");
    0
}

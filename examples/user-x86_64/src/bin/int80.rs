//! The legacy gate: `int 0x80` with the `syscall` numbering, and FPU/SSE
//! state and the FS base surviving preemption (expects: exit 0).
#![no_std]
#![no_main]

use user_x86_64::{NR, check, int80_3, print, syscall3};

#[unsafe(no_mangle)]
extern "C" fn main() -> i32 {
    let pid = syscall3(NR.getpid, 0, 0, 0);
    check(pid > 0 && int80_3(NR.getpid, 0, 0, 0) == pid, "getpid through int 0x80");
    let msg = "int80: write through int 0x80\n";
    check(int80_3(NR.write, 1, msg.as_ptr() as usize, msg.len()) == msg.len() as isize, "write");
    let mut tls = [0u64; 2];
    tls[1] = 0x1234_5678;
    check(syscall3(NR.arch_prctl.unwrap_or(158), 0x1002, tls.as_ptr() as usize, 0) == 0, "arch_prctl");
    let mut seen: u64;
    let mut xmm: u64 = 0;
    for _ in 0..2000 {
        // SAFETY: reads through FS (set above) and uses xmm0 only.
        unsafe {
            core::arch::asm!(
                "mov {v}, fs:[8]",
                "movq xmm0, {v}",
                "mov eax, 24", "syscall",
                "movq {x}, xmm0",
                v = out(reg) seen, x = out(reg) xmm,
                out("rax") _, out("rcx") _, out("r11") _, out("xmm0") _,
            )
        };
        check(seen == 0x1234_5678 && xmm == seen, "FS base and xmm0 across sched_yield");
    }
    let _ = xmm;
    print("int80: FS base and xmm0 survive switches\n");
    0
}

//! The clean restart check, booted with `restart=2` (`FaultPolicy::Restart`):
//! each start checks that the kernel handed over every register zero but
//! the stack pointer ([`user::initial`]: x1–x31 and on rv64 f0–f31 and
//! `fcsr`; on x86_64 the GPRs, x87 and SSE registers at their init state;
//! on aarch64 x0–x30, q0–q31, FPCR, FPSR and `TPIDR_EL0`),
//! then fills every register, integer and FP, with a pattern and stores to
//! address 0. The kernel starts it over from its first frame, twice, so
//! the registers it dirtied must not reach the next start. Expected: three
//! clean starts, then killed: memory fault (user write at 0x0). A start
//! that finds a register dirty exits 1 naming it.
#![no_std]
#![no_main]

use core::sync::atomic::{AtomicUsize, Ordering};

use user::{initial, println};

user::entry!(main);

/// How many times the program has started: its memory survives a restart,
/// only its registers are new.
static STARTS: AtomicUsize = AtomicUsize::new(0);

fn main(_: user::Args) -> i32 {
    let start = STARTS.fetch_add(1, Ordering::Relaxed) + 1;
    if let Some(r) = initial::first_unclean() {
        println!(
            "restart-clean: start {start}: {} = {:#x}, not clean",
            r.name, r.value
        );
        return 1;
    }
    println!(
        "restart-clean: start {start}: every register but sp clean; dirtying them all and faulting"
    );
    dirty_and_fault()
}

/// Every register but sp gets a pattern (FP first, through t0 / rax), then
/// a store to address 0.
#[cfg(any(target_arch = "riscv64", target_arch = "riscv32"))]
fn dirty_and_fault() -> ! {
    // SAFETY: deliberately not: the store faults and the kernel ends or
    // restarts the process; nothing after it runs.
    unsafe {
        #[cfg(target_arch = "riscv64")]
        core::arch::asm!(
            ".option push",
            ".option arch, +d",
            ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31",
            "li t0, 0x5a00 + \\n",
            "fmv.d.x f\\n, t0",
            ".endr",
            "li t0, 0x21",
            "fscsr t0",
            ".option pop",
            out("t0") _,
        );
        core::arch::asm!(
            ".irp n, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31",
            "li x\\n, 0x5a00 + \\n",
            ".endr",
            "sw zero, 0(zero)",
            options(noreturn),
        )
    }
}

#[cfg(target_arch = "aarch64")]
fn dirty_and_fault() -> ! {
    // SAFETY: deliberately not: the store faults and the kernel ends or
    // restarts the process; nothing after it runs.
    unsafe {
        core::arch::asm!(
            ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31",
            "mov x1, #(0x5a00 + \\n)",
            "fmov d\\n, x1",
            ".endr",
            "mov x1, #0x01c00000",
            "msr fpcr, x1",
            "mov x1, #0x9f",
            "msr fpsr, x1",
            "mov x1, #0x5a5a",
            "msr tpidr_el0, x1",
            ".irp n, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30",
            "mov x\\n, #(0x5a00 + \\n)",
            ".endr",
            "mov x0, #0",
            "str x1, [x0]",
            options(noreturn),
        )
    }
}

#[cfg(target_arch = "x86_64")]
fn dirty_and_fault() -> ! {
    // SAFETY: deliberately not: the store faults and the kernel ends or
    // restarts the process; nothing after it runs.
    unsafe {
        core::arch::asm!(
            ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15",
            "mov eax, 0x5a00 + \\n",
            "movq xmm\\n, rax",
            ".endr",
            "mov dword ptr [rsp - 8], 0x1fc0",
            "ldmxcsr [rsp - 8]",
            "mov word ptr [rsp - 8], 0x027f",
            "fldcw [rsp - 8]",
            "fld1",
            "mov eax, 0x5a00",
            "mov ecx, 0x5a01",
            "mov edx, 0x5a02",
            "mov ebx, 0x5a03",
            "mov ebp, 0x5a05",
            "mov esi, 0x5a06",
            "mov edi, 0x5a07",
            ".irp n, 8,9,10,11,12,13,14,15",
            "mov r\\n, 0x5a00 + \\n",
            ".endr",
            "mov qword ptr [0], rax",
            options(noreturn),
        )
    }
}

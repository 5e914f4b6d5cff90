//! swtch under qemu-user: a scheduler and a process ping-pong many times
//! through `resume` and `suspend`, and every callee-saved register (s0–s11),
//! sp and ra survives both directions.
//!
//! Runs on a riscv64 Linux target under `qemu-riscv64` (user-mode
//! emulation): swtch touches no CSR, so it runs unprivileged. On any other
//! target this file is empty.
//!
//! ```text
//! CARGO_TARGET_RISCV64GC_UNKNOWN_LINUX_GNU_RUNNER="qemu-riscv64 -L /usr/riscv64-linux-gnu" \
//! CARGO_TARGET_RISCV64GC_UNKNOWN_LINUX_GNU_LINKER=riscv64-linux-gnu-gcc \
//! cargo test -p ldex-arch-riscv --target riscv64gc-unknown-linux-gnu
//! ```
#![cfg(target_arch = "riscv64")]

use core::sync::atomic::{AtomicUsize, Ordering};

use ldex_arch_riscv::Context;
use ldex_core::Context as _;

const ROUNDS: usize = 20_000;
const ARG: usize = 0x5eed_0000_c0de;

static mut MAIN: Context = Context::EMPTY;
static mut OTHER: Context = Context::EMPTY;
static OTHER_ROUNDS: AtomicUsize = AtomicUsize::new(0);
static OTHER_BAD: AtomicUsize = AtomicUsize::new(0);
static OTHER_ARG: AtomicUsize = AtomicUsize::new(0);

/// One half of the pair behind the C ABI, as an asm caller sees it: the
/// compiler must save whatever the inline asm declares clobbered.
type Half = unsafe extern "C" fn(*mut Context, *mut Context);

/// `resume(cpu, process)` as a C function.
unsafe extern "C" fn resume(cpu: *mut Context, process: *mut Context) {
    // SAFETY: forwarded from the caller.
    unsafe { Context::resume(cpu, process) }
}

/// `suspend(process, cpu)` as a C function.
unsafe extern "C" fn suspend(process: *mut Context, cpu: *mut Context) {
    // SAFETY: forwarded from the caller.
    unsafe { Context::suspend(process, cpu) }
}

/// Fill s0–s11 with `seed + n`, `half(a, b)`, and when switched back return
/// nonzero if any of s0–s11 or sp differs from before. `ra` is checked by
/// the `ret` coming back here at all.
#[unsafe(naked)]
unsafe extern "C" fn fill_switch_check(
    a: *mut Context,
    b: *mut Context,
    seed: usize,
    half: Half,
) -> usize {
    core::arch::naked_asm!(
        "addi sp, sp, -128",
        "sd ra, 0(sp)",
        ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11",
        "sd s\\n, 8+\\n*8(sp)",
        ".endr",
        "sd sp, 104(sp)",
        "sd a2, 112(sp)",
        ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11",
        "addi s\\n, a2, \\n",
        ".endr",
        "jalr a3",
        "li a0, 0",
        "ld t2, 112(sp)",
        ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11",
        "addi t1, t2, \\n",
        "xor t1, t1, s\\n",
        "or a0, a0, t1",
        ".endr",
        "ld t0, 104(sp)",
        "xor t0, t0, sp",
        "or a0, a0, t0",
        "ld ra, 0(sp)",
        ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11",
        "ld s\\n, 8+\\n*8(sp)",
        ".endr",
        "addi sp, sp, 128",
        "ret",
    )
}

extern "C-unwind" fn other(arg: usize) -> ! {
    OTHER_ARG.store(arg, Ordering::Relaxed);
    for round in 0.. {
        let seed = 0xb000_0000 + round * 0x100;
        // SAFETY: both contexts are statics; MAIN's resume of OTHER brought
        // us here and has not returned.
        let bad = unsafe { fill_switch_check(&raw mut OTHER, &raw mut MAIN, seed, suspend) };
        OTHER_BAD.fetch_or(bad, Ordering::Relaxed);
        OTHER_ROUNDS.fetch_add(1, Ordering::Relaxed);
    }
    unreachable!()
}

#[test]
fn resume_and_suspend_keep_s0_to_s11_sp_and_ra_both_ways_and_pass_the_entry_argument() {
    let stack: &'static mut [u128] = Vec::leak(vec![0u128; 4096]);
    let top = stack.as_mut_ptr_range().end.cast::<u8>();
    // SAFETY: single-threaded use of the statics by this test only.
    unsafe { OTHER = Context::new(other, ARG, top) };
    let mut bad = 0;
    for round in 0..ROUNDS {
        let seed = 0xa000_0000 + round * 0x100;
        // SAFETY: OTHER was made by Context::new or suspended back to MAIN.
        bad |= unsafe { fill_switch_check(&raw mut MAIN, &raw mut OTHER, seed, resume) };
    }
    assert_eq!(OTHER_ARG.load(Ordering::Relaxed), ARG);
    assert_eq!(bad, 0, "a register changed across resume on the main side");
    assert_eq!(
        OTHER_BAD.load(Ordering::Relaxed),
        0,
        "a register changed across suspend on the other side"
    );
    // The other side finished every round but its last suspend, which is
    // still waiting to be resumed.
    assert_eq!(OTHER_ROUNDS.load(Ordering::Relaxed), ROUNDS - 1);
}

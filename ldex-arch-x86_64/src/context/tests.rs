//! The real resume/suspend pair, run natively on the x86_64 host.

use core::sync::atomic::{AtomicU64, Ordering};

use ldex_core::Context as _;

use super::Context;

const ROUNDS: u64 = 100_000;
const MAIN_SEED: u64 = 0x1111_0000_0000_0000;
const CORO_SEED: u64 = 0x2222_0000_0000_0000;
const CORO_ARG: usize = 0xc0ffee;

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

/// A switch partner's view: fill rbx, rbp, r12–r15 with `seed + 0..6`,
/// `half(a, b)`, and on return count the registers that no longer hold
/// their value; bit 8 is set if rsp moved.
#[unsafe(naked)]
unsafe extern "C" fn probe(a: *mut Context, b: *mut Context, seed: u64, half: Half) -> u64 {
    core::arch::naked_asm!(
        "push rbx",
        "push rbp",
        "push r12",
        "push r13",
        "push r14",
        "push r15",
        "mov rbx, rdx",
        "lea rbp, [rdx + 1]",
        "lea r12, [rdx + 2]",
        "lea r13, [rdx + 3]",
        "lea r14, [rdx + 4]",
        "lea r15, [rdx + 5]",
        // Six pushes, this word and the two below keep the call 16-aligned.
        "sub rsp, 8",
        "push rdx",
        "push rsp",
        "call rcx",
        "pop rax",
        "xor ecx, ecx",
        "cmp rax, rsp",
        "je 2f",
        "or ecx, 0x100",
        "2:",
        "pop rdx",
        "add rsp, 8",
        "mov rax, rdx",
        "cmp rbx, rax",
        "je 3f",
        "inc ecx",
        "3:",
        "inc rax",
        "cmp rbp, rax",
        "je 3f",
        "inc ecx",
        "3:",
        "inc rax",
        "cmp r12, rax",
        "je 3f",
        "inc ecx",
        "3:",
        "inc rax",
        "cmp r13, rax",
        "je 3f",
        "inc ecx",
        "3:",
        "inc rax",
        "cmp r14, rax",
        "je 3f",
        "inc ecx",
        "3:",
        "inc rax",
        "cmp r15, rax",
        "je 3f",
        "inc ecx",
        "3:",
        "mov eax, ecx",
        "pop r15",
        "pop r14",
        "pop r13",
        "pop r12",
        "pop rbp",
        "pop rbx",
        "ret",
    )
}

#[repr(C, align(16))]
struct Stack([u8; 64 * 1024]);

static mut MAIN: Context = Context::EMPTY;
static mut CORO: Context = Context::EMPTY;
static mut CORO_STACK: Stack = Stack([0; 64 * 1024]);
static CORO_BAD: AtomicU64 = AtomicU64::new(0);
static CORO_ROUNDS: AtomicU64 = AtomicU64::new(0);
static CORO_GOT_ARG: AtomicU64 = AtomicU64::new(0);

extern "C-unwind" fn coroutine(arg: usize) -> ! {
    CORO_GOT_ARG.store(arg as u64, Ordering::Relaxed);
    let mut round = 0u64;
    loop {
        // SAFETY: MAIN's resume of CORO brought us here and has not returned.
        let bad = unsafe { probe(&raw mut CORO, &raw mut MAIN, CORO_SEED + round * 8, suspend) };
        CORO_BAD.fetch_add(bad, Ordering::Relaxed);
        CORO_ROUNDS.fetch_add(1, Ordering::Relaxed);
        round += 1;
    }
}

#[test]
fn resume_and_suspend_keep_every_callee_saved_register_and_rsp_across_a_ping_pong() {
    // SAFETY: this is the only test touching these statics; the coroutine
    // stack is static and outlives every switch to it.
    unsafe {
        let top = (&raw mut CORO_STACK).cast::<u8>().add(size_of::<Stack>());
        CORO = Context::new(coroutine, CORO_ARG, top);
        let mut bad = 0;
        for round in 0..ROUNDS {
            bad += probe(&raw mut MAIN, &raw mut CORO, MAIN_SEED + round * 8, resume);
        }
        assert_eq!(bad, 0, "registers the main side lost");
    }
    assert_eq!(CORO_GOT_ARG.load(Ordering::Relaxed), CORO_ARG as u64);
    assert_eq!(
        CORO_BAD.load(Ordering::Relaxed),
        0,
        "registers the coroutine lost"
    );
    // The coroutine finished every round but the first (it started fresh
    // there) and is parked inside the last one.
    assert_eq!(CORO_ROUNDS.load(Ordering::Relaxed), ROUNDS - 1);
}

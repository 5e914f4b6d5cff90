//! Host checks of the entry code's layout assumptions and the decoder.

use ldex_core::cause::{AccessKind, Privilege, TrapCause};

use super::{
    INT80_VECTOR, IPI_VECTOR, SPURIOUS_VECTOR, STUB_SIZE, TIMER_VECTOR, decode, stub_address,
};
use crate::frame::{TrapFrame, VECTOR_SYSCALL};
use crate::gdt::{KERNEL_CS, USER_CS};

/// Load rax = 1, rbx = 2, ... r15 = 15 (in the order `push_gprs!` pushes),
/// run `push_gprs!` and copy the fifteen words it pushed to `out`.
#[unsafe(naked)]
unsafe extern "C" fn capture_pushes(out: *mut [u64; 15]) {
    core::arch::naked_asm!(
        "push rbx",
        "push rbp",
        "push r12",
        "push r13",
        "push r14",
        "push r15",
        "push rdi",
        "mov rax, 1",
        "mov rbx, 2",
        "mov rcx, 3",
        "mov rdx, 4",
        "mov rsi, 5",
        "mov rdi, 6",
        "mov rbp, 7",
        "mov r8, 8",
        "mov r9, 9",
        "mov r10, 10",
        "mov r11, 11",
        "mov r12, 12",
        "mov r13, 13",
        "mov r14, 14",
        "mov r15, 15",
        push_gprs!(),
        "mov rdi, [rsp + 15 * 8]",
        "mov rsi, rsp",
        "mov ecx, 15",
        "rep movsq",
        "add rsp, 16 * 8",
        "pop r15",
        "pop r14",
        "pop r13",
        "pop r12",
        "pop rbp",
        "pop rbx",
        "ret",
    )
}

#[test]
fn push_gprs_fills_the_frame_fields_named_after_each_register() {
    let mut words = [0u64; 15];
    // SAFETY: the probe writes 15 words to `words` and restores what it uses.
    unsafe { capture_pushes(&mut words) };
    let mut f = TrapFrame::default();
    // SAFETY: the first 15 words of the frame are the GPRs.
    unsafe { (&raw mut f).cast::<[u64; 15]>().write(words) };
    let got = [
        f.rax, f.rbx, f.rcx, f.rdx, f.rsi, f.rdi, f.rbp, f.r8, f.r9, f.r10, f.r11, f.r12, f.r13,
        f.r14, f.r15,
    ];
    assert_eq!(got, core::array::from_fn(|i| i as u64 + 1));
}

#[test]
fn vector_stubs_are_16_bytes_apart_and_each_pushes_its_own_vector() {
    for v in [0u8, 8, 13, 14, 0x7f, 0x80, 0xff] {
        let stub = stub_address(v) as *const u8;
        assert_eq!(stub as usize % STUB_SIZE, 0);
        // SAFETY: the stubs are code, mapped readable on the host.
        let code = unsafe { core::slice::from_raw_parts(stub, 12) };
        let has_error_code = matches!(v, 8 | 10..=14 | 17 | 21 | 29 | 30);
        let push = if has_error_code {
            code
        } else {
            assert_eq!(&code[..2], &[0x6a, 0x00], "vector {v}: push 0");
            &code[2..]
        };
        let pushed = match push[0] {
            0x6a => u64::from(push[1]),
            0x68 => u64::from(u32::from_le_bytes(push[1..5].try_into().unwrap())),
            op => panic!("vector {v}: expected a push, found opcode {op:#x}"),
        };
        assert_eq!(pushed, u64::from(v), "vector {v}");
    }
}

fn no_cr2() -> u64 {
    panic!("only a page fault reads CR2")
}

fn frame(vector: u64, error_code: u64, cs: u16, rip: u64) -> TrapFrame {
    TrapFrame {
        vector,
        error_code,
        cs: u64::from(cs),
        rip,
        ..TrapFrame::default()
    }
}

#[test]
#[should_panic(
    expected = "double fault on the IST1 stack (kernel stack overflow?): rip 0x1234, rsp 0xfff8, cr2 0xf000"
)]
fn a_double_fault_panics_with_rsp_and_cr2_instead_of_reaching_the_sink() {
    let f = TrapFrame {
        rsp: 0xfff8,
        ..frame(8, 0, KERNEL_CS, 0x1234)
    };
    let _ = decode(&f, || 0xf000);
}

#[test]
fn decode_names_syscalls_timer_ipi_and_the_faults_hostile_programs_raise() {
    let user = |v, e| decode(&frame(v, e, USER_CS, 0x40_1000), no_cr2);
    assert_eq!(user(VECTOR_SYSCALL, 0), TrapCause::Syscall);
    assert_eq!(user(u64::from(INT80_VECTOR), 0), TrapCause::Syscall);
    assert_eq!(user(u64::from(TIMER_VECTOR), 0), TrapCause::Timer);
    assert_eq!(user(u64::from(IPI_VECTOR), 0), TrapCause::Ipi);
    assert_eq!(user(0, 0), TrapCause::DivideError);
    assert_eq!(user(3, 0), TrapCause::Breakpoint);
    assert_eq!(user(6, 0), TrapCause::IllegalInstruction);
    assert_eq!(user(13, 0), TrapCause::PrivilegedInstruction);
    // int3 and int 0x20 through DPL-0 gates: #GP with the IDT flag.
    assert_eq!(user(13, (3 << 3) | 2), TrapCause::Breakpoint);
    assert_eq!(
        user(13, (3 << 4) | 2),
        TrapCause::Breakpoint,
        "QEMU's encoding"
    );
    assert_eq!(user(13, (0x20 << 3) | 2), TrapCause::PrivilegedInstruction);
    assert_eq!(
        user(u64::from(SPURIOUS_VECTOR), 0),
        TrapCause::External(0xff),
        "spurious: the OS counts it"
    );
}

#[test]
fn decode_reports_a_fetch_from_a_noncanonical_rip_as_an_execute_fault() {
    let f = frame(13, 0, USER_CS, 0x8000_0000_0000);
    let want = TrapCause::MemoryFault {
        addr: 0x8000_0000_0000,
        access: AccessKind::Execute,
        from: Privilege::User,
    };
    assert_eq!(decode(&f, no_cr2), want);
}

#[test]
fn decode_reads_a_page_fault_access_from_the_error_code_or_a_fault_at_rip() {
    let pf = |err, cs, rip, cr2: u64| decode(&frame(14, err, cs, rip), move || cr2);
    let fault = |addr, access, from| TrapCause::MemoryFault { addr, access, from };
    // P=1 (protection), U=1: a user load of a kernel page.
    assert_eq!(
        pf(0b101, USER_CS, 0x40_1000, 0x10_0000),
        fault(0x10_0000, AccessKind::Read, Privilege::User)
    );
    // W=1: a store.
    assert_eq!(
        pf(0b111, USER_CS, 0x40_1000, 0x10_0000),
        fault(0x10_0000, AccessKind::Write, Privilege::User)
    );
    // I/D=1: a fetch (reported with NX or SMEP on).
    assert_eq!(
        pf(0b1_0101, USER_CS, 0x10_0000, 0x10_0000),
        fault(0x10_0000, AccessKind::Execute, Privilege::User)
    );
    // No I/D bit, but CR2 == rip: the fetch of the instruction itself.
    assert_eq!(
        pf(0b101, USER_CS, 0x10_0000, 0x10_0000),
        fault(0x10_0000, AccessKind::Execute, Privilege::User)
    );
    // From ring 0 it says so (the protocol panics on it).
    assert_eq!(
        pf(0b010, KERNEL_CS, 0x10_2000, 0x20),
        fault(0x20, AccessKind::Write, Privilege::Kernel)
    );
}

//! The system call layer against a fake arch and platform on the host. User
//! memory is a real host buffer, so the checked pointers are real pointers.

use std::string::String;
use std::sync::Mutex;
use std::vec::Vec;

use ldex_core::arch::{Context, TrapSink, TrapTable};
use ldex_core::proc::{KillReason, Name, ProcInfo, ProcState};
use ldex_core::token::BootToken;
use ldex_core::{AccessKind, Pid, TrapCause, TrapFrame};

use super::*;
use crate::console::Console;
use crate::stack::WordSize;

/// Just enough of an arch for `SyscallCx`: only `ProcessState` matters.
struct FakeArch;
#[derive(Debug)]
struct FakeFrame;
struct FakeContext;
struct FakeTable;
struct FakeTimer;

impl TrapFrame for FakeFrame {
    fn new_user(_: usize, _: usize) -> Self {
        FakeFrame
    }
    fn syscall_number(&self) -> usize {
        0
    }
    fn syscall_args(&self) -> [usize; 6] {
        [0; 6]
    }
    fn set_syscall_return(&mut self, _: usize) {}
    fn pc(&self) -> usize {
        0
    }
    fn set_pc(&mut self, _: usize) {}
    fn user_sp(&self) -> usize {
        0
    }
    fn from_user(&self) -> bool {
        true
    }
}

// SAFETY: never switched to; the tests only build system call contexts.
unsafe impl Context for FakeContext {
    const EMPTY: Self = FakeContext;
    fn new(_: extern "C-unwind" fn(usize) -> !, _: usize, _: *mut u8) -> Self {
        FakeContext
    }
    unsafe fn resume(_: *mut Self, _: *mut Self) {
        unreachable!("the syscall tests never switch")
    }
    unsafe fn suspend(_: *mut Self, _: *mut Self) {
        unreachable!("the syscall tests never switch")
    }
}

impl TrapTable for FakeTable {
    type Frame = FakeFrame;
    fn install(_: &BootToken, _: &'static dyn TrapSink<FakeFrame>) {}
}

impl ldex_core::Timer for FakeTimer {
    fn frequency_hz(&self) -> u64 {
        1
    }
    fn now(&self) -> u64 {
        0
    }
    fn set_deadline(&self, _: u64) {}
    fn disarm(&self) {}
}

impl Arch for FakeArch {
    type TrapFrame = FakeFrame;
    type Context = FakeContext;
    type TrapTable = FakeTable;
    type Timer = FakeTimer;
    type AddressSpace = ();
    /// The FS base.
    type ProcessState = usize;
    fn interrupts_enabled() -> bool {
        false
    }
    fn disable_interrupts() -> bool {
        false
    }
    fn enable_interrupts() {}
    fn wait_for_interrupt() {}
    unsafe fn enter_process(_: *mut u8, _: Option<()>, _: &mut usize) {}
    fn leave_process(_: &mut usize) {}
    unsafe fn return_to_user(_: *mut FakeFrame) -> ! {
        unreachable!("the syscall tests never enter user mode")
    }
}

/// A platform whose process 1 owns `user` (a host buffer) and nothing else.
struct Fake<const X86: bool> {
    out: Mutex<String>,
    user: Mutex<Vec<u8>>,
    base: usize,
}

impl<const X86: bool> Fake<X86> {
    fn new() -> Self {
        let user = std::vec![0u8; 64];
        let base = user.as_ptr() as usize;
        Fake {
            out: Mutex::new(String::new()),
            user: Mutex::new(user),
            base,
        }
    }

    fn output(&self) -> String {
        self.out.lock().unwrap().clone()
    }
}

impl<const X86: bool> Console for Fake<X86> {
    fn write_bytes(&self, bytes: &[u8]) {
        self.out
            .lock()
            .unwrap()
            .push_str(std::str::from_utf8(bytes).unwrap());
    }
}

// SAFETY: the approved range is the live `user` buffer, which the tests
// keep alive and only touch between system calls.
unsafe impl<const X86: bool> Platform<FakeArch> for Fake<X86> {
    const NUMBERS: abi::Numbers = if X86 {
        abi::Numbers::X86_64
    } else {
        abi::Numbers::RISCV
    };
    const WORD: WordSize = if X86 { WordSize::Eight } else { WordSize::Four };

    fn now_ns(&self) -> u64 {
        3_000_000_123
    }

    fn user_allows(&self, pid: Pid, addr: usize, len: usize, _: AccessKind) -> bool {
        pid.get() == 1 && addr >= self.base && addr + len <= self.base + 64
    }

    fn set_fs_base(&self, state: &mut usize, base: usize) -> Result<(), isize> {
        if base >= 1 << 47 {
            return Err(1); // EPERM
        }
        *state = base;
        Ok(())
    }
}

const PID1: Pid = Pid::from_index(0);
const PID2: Pid = Pid::from_index(1);

fn call<const X86: bool>(
    os: &ExampleOs<FakeArch, Fake<X86>>,
    pid: Pid,
    nr: usize,
    args: &[usize],
) -> SyscallAction {
    let mut fs = 0usize;
    call_with(os, pid, nr, args, &mut fs)
}

fn call_with<const X86: bool>(
    os: &ExampleOs<FakeArch, Fake<X86>>,
    pid: Pid,
    nr: usize,
    args: &[usize],
    fs: &mut usize,
) -> SyscallAction {
    let mut a = [0; 6];
    a[..args.len()].copy_from_slice(args);
    os.syscall(&mut SyscallCx {
        pid,
        nr,
        args: a,
        arch: fs,
        ticks: 0,
    })
}

fn ret(errno: isize) -> SyscallAction {
    SyscallAction::Return((-errno) as usize)
}

#[test]
fn write_to_stdout_and_stderr_reaches_the_console() {
    let os = ExampleOs::new(Fake::<false>::new());
    let base = os.platform().base;
    os.platform().user.lock().unwrap()[..3].copy_from_slice(b"hi\n");
    assert_eq!(call(&os, PID1, 64, &[1, base, 3]), SyscallAction::Return(3));
    assert_eq!(call(&os, PID1, 64, &[2, base, 2]), SyscallAction::Return(2));
    assert_eq!(os.platform().output(), "hi\nhi");
}

#[test]
fn write_with_a_kernel_pointer_or_huge_length_is_efault() {
    let os = ExampleOs::new(Fake::<false>::new());
    let base = os.platform().base;
    assert_eq!(call(&os, PID1, 64, &[1, 0x8020_0000, 4]), ret(14));
    assert_eq!(call(&os, PID1, 64, &[1, base, usize::MAX]), ret(14));
    assert_eq!(call(&os, PID1, 64, &[1, base + 60, 8]), ret(14));
    assert_eq!(
        call(&os, PID2, 64, &[1, base, 1]),
        ret(14),
        "another process's memory"
    );
    assert_eq!(os.platform().output(), "");
}

#[test]
fn write_to_another_fd_is_ebadf_even_with_a_bad_pointer() {
    let os = ExampleOs::new(Fake::<false>::new());
    assert_eq!(call(&os, PID1, 64, &[0, 0, 1]), ret(9));
    assert_eq!(call(&os, PID1, 64, &[3, 0x8020_0000, 1]), ret(9));
}

#[test]
fn exit_exit_group_getpid_and_yield_map_to_their_actions() {
    let os = ExampleOs::new(Fake::<false>::new());
    assert_eq!(call(&os, PID1, 93, &[7]), SyscallAction::Exit(7));
    assert_eq!(call(&os, PID1, 94, &[usize::MAX]), SyscallAction::Exit(-1));
    assert_eq!(call(&os, PID2, 172, &[]), SyscallAction::Return(2));
    assert_eq!(call(&os, PID1, 124, &[]), SyscallAction::Yield(0));
}

#[test]
fn unknown_numbers_are_enosys_on_each_table() {
    let rv = ExampleOs::new(Fake::<false>::new());
    assert_eq!(
        call(&rv, PID1, 158, &[0x1002, 0]),
        ret(38),
        "no arch_prctl on RISC-V"
    );
    assert_eq!(call(&rv, PID1, 9999, &[]), ret(38));
    let x86 = ExampleOs::new(Fake::<true>::new());
    assert_eq!(call(&x86, PID1, 64, &[]), ret(38));
    assert_eq!(call(&x86, PID1, 39, &[]), SyscallAction::Return(1));
}

#[test]
fn clock_gettime_writes_a_32_bit_timespec_on_rv32() {
    let os = ExampleOs::new(Fake::<false>::new());
    let base = os.platform().base;
    assert_eq!(
        call(&os, PID1, 113, &[1, base + 1]),
        SyscallAction::Return(0)
    );
    let user = os.platform().user.lock().unwrap();
    assert_eq!(user[1..5], 3u32.to_le_bytes());
    assert_eq!(user[5..9], 123u32.to_le_bytes());
    assert_eq!(user[9], 0, "nothing past the 8-byte timespec");
}

#[test]
fn clock_gettime_writes_a_64_bit_timespec_on_x86_64() {
    let os = ExampleOs::new(Fake::<true>::new());
    let base = os.platform().base;
    assert_eq!(call(&os, PID1, 228, &[1, base]), SyscallAction::Return(0));
    let user = os.platform().user.lock().unwrap();
    assert_eq!(user[0..8], 3u64.to_le_bytes());
    assert_eq!(user[8..16], 123u64.to_le_bytes());
}

#[test]
fn clock_gettime_refuses_other_clocks_and_bad_pointers() {
    let os = ExampleOs::new(Fake::<true>::new());
    let base = os.platform().base;
    assert_eq!(call(&os, PID1, 228, &[0, base]), ret(22));
    assert_eq!(call(&os, PID1, 228, &[1, 0xffff_8000_0000_0000]), ret(14));
    assert_eq!(
        call(&os, PID1, 228, &[1, base + 56]),
        ret(14),
        "timespec runs off the end"
    );
}

#[test]
fn arch_prctl_set_fs_goes_through_the_platform() {
    let os = ExampleOs::new(Fake::<true>::new());
    let mut fs = 0;
    assert_eq!(
        call_with(&os, PID1, 158, &[0x1002, 0x7000], &mut fs),
        SyscallAction::Return(0)
    );
    assert_eq!(fs, 0x7000);
    assert_eq!(
        call_with(&os, PID1, 158, &[0x1002, 1 << 63], &mut fs),
        ret(1)
    );
    assert_eq!(
        call_with(&os, PID1, 158, &[0x1001, 0], &mut fs),
        ret(22),
        "ARCH_SET_GS"
    );
    assert_eq!(fs, 0x7000);
}

fn info(pid: Pid, name: &str) -> ProcInfo {
    let name = Name::new(name);
    ProcInfo {
        pid,
        name,
        state: ProcState::Zombie,
        cpu_ticks: 0,
        preemptions: 0,
        syscalls: 0,
    }
}

#[test]
fn process_endings_print_one_line_each() {
    let os = ExampleOs::new(Fake::<false>::new());
    os.process_ended(&info(PID1, "hello"), &Ending::Exited(0));
    let limit = Ending::Killed(KillReason::CpuLimit { ticks: 50 });
    os.process_ended(&info(PID2, "spinner"), &limit);
    assert_eq!(
        os.platform().output(),
        "[pid 1 hello] exit 0\n[pid 2 spinner] killed: CPU time limit (50 ticks)\n"
    );
}

#[test]
fn trace_lines_appear_only_when_tracing_is_on() {
    let os = ExampleOs::new(Fake::<false>::new());
    let trap = Event::Trap {
        pid: Some(PID1),
        cause: TrapCause::Syscall,
    };
    os.trace(&trap);
    assert_eq!(os.platform().output(), "");
    os.set_tracing(true);
    os.trace(&trap);
    os.trace(&Event::Syscall { pid: PID1, nr: 64 });
    assert_eq!(
        os.platform().output(),
        "[trace] Hardware | trap into OS\n[trace] OS       | do work of syscall 64\n"
    );
}

#[test]
fn abi_errno_values_match_ldex_core() {
    assert_eq!(abi::errno::EFAULT, errno::EFAULT);
    assert_eq!(abi::errno::ENOSYS, errno::ENOSYS);
    assert_eq!(abi::errno::EBADF, errno::EBADF);
    assert_eq!(abi::errno::EINVAL, errno::EINVAL);
}

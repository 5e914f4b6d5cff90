//! The system call layer against a fake arch and platform on the host. User
//! memory is a real host buffer, so the checked pointers are real pointers.

use std::boxed::Box;
use std::collections::BTreeMap;
use std::string::String;
use std::sync::Mutex;
use std::vec;
use std::vec::Vec;

use ldex_core::arch::{Context, TrapSink, TrapTable};
use ldex_core::proc::{KillReason, Name, ProcInfo, ProcState};
use ldex_core::token::BootToken;
use ldex_core::{AccessKind, Interrupts, Pid, TrapCause, TrapFrame};

use super::*;
use crate::console::Console;
use crate::stack::WordSize;

/// Just enough of an arch for `SyscallCx`: the frame's number and
/// arguments, and `ProcessState`.
struct FakeArch;
#[derive(Debug)]
struct FakeFrame {
    nr: usize,
    args: [usize; 6],
}
struct FakeContext;
struct FakeTable;
struct FakeTimer;

impl TrapFrame for FakeFrame {
    fn new_user(_: usize, _: usize) -> Self {
        FakeFrame {
            nr: 0,
            args: [0; 6],
        }
    }
    fn syscall_number(&self) -> usize {
        self.nr
    }
    fn syscall_args(&self) -> [usize; 6] {
        self.args
    }
    fn set_syscall_return(&mut self, _: usize) {}
    fn pc(&self) -> usize {
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
    fn install<S: TrapSink<FakeFrame>>(_: &BootToken, _: &'static S) {}
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

impl Interrupts for FakeArch {
    fn are_enabled() -> bool {
        false
    }
    fn enable() {}
    fn disable() {}
}

impl Arch for FakeArch {
    type TrapFrame = FakeFrame;
    type Context = FakeContext;
    type TrapTable = FakeTable;
    type Timer = FakeTimer;
    type AddressSpace = ();
    /// The FS base.
    type ProcessState = usize;
    fn wait_for_interrupt() {}
    unsafe fn enter_process(_: *mut FakeFrame, _: Option<()>, _: &mut usize) {}
    fn leave_process(_: &mut FakeFrame, _: &mut usize) {}
    fn restart_process(state: &mut usize) {
        *state = 0;
    }
    unsafe fn return_to_user(_: *mut FakeFrame) -> ! {
        unreachable!("the syscall tests never enter user mode")
    }
}

/// A platform whose process 1 owns `user` (a host buffer) and nothing else,
/// and whose page table is a map from page to rights, fed by a budget of
/// `frames` frames.
struct Fake<const X86: bool> {
    out: Mutex<String>,
    user: Mutex<Vec<u8>>,
    base: usize,
    pages: Mutex<BTreeMap<usize, Prot>>,
    frames: Mutex<usize>,
    /// What the fake UART received, handed over at the next interrupt.
    received: Mutex<Vec<u8>>,
    /// Each `hold_devices` call, in order.
    holds: Mutex<Vec<bool>>,
}

/// The OS under test: four process slots.
type TestOs<const X86: bool> = ExampleOs<FakeArch, Fake<X86>, 4>;

impl<const X86: bool> Fake<X86> {
    fn new() -> Self {
        let user = std::vec![0u8; 64];
        let base = user.as_ptr() as usize;
        Fake {
            out: Mutex::new(String::new()),
            user: Mutex::new(user),
            base,
            pages: Mutex::new(BTreeMap::new()),
            frames: Mutex::new(64),
            received: Mutex::new(Vec::new()),
            holds: Mutex::new(Vec::new()),
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
    const CONSOLE_INPUT: bool = X86;
    const NUMBERS: abi::Numbers = if X86 {
        abi::Numbers::X86_64
    } else {
        abi::Numbers::RISCV
    };
    const WORD: WordSize = if X86 { WordSize::Eight } else { WordSize::Four };
    const HEAP: core::ops::Range<usize> = 0x1000_0000..0x1010_0000;
    const MMAP: core::ops::Range<usize> = 0x2000_0000..0x2001_0000;
    const USER: core::ops::Range<usize> = 0x1000..0x4000_0000;
    const MACHINE: &'static str = if X86 { "x86_64" } else { "riscv32" };

    fn map_zeroed(&self, page: usize, prot: Prot) -> Result<(), OutOfMemory> {
        assert_eq!(page % memory::PAGE, 0);
        self.unmap(page);
        let mut frames = self.frames.lock().unwrap();
        *frames = frames.checked_sub(1).ok_or(OutOfMemory)?;
        self.pages.lock().unwrap().insert(page, prot);
        Ok(())
    }

    fn unmap(&self, page: usize) {
        if self.pages.lock().unwrap().remove(&page).is_some() {
            *self.frames.lock().unwrap() += 1;
        }
    }

    fn protect(&self, page: usize, prot: Prot) -> bool {
        self.pages
            .lock()
            .unwrap()
            .get_mut(&page)
            .map(|p| *p = prot)
            .is_some()
    }

    fn mapped(&self, page: usize) -> bool {
        self.pages.lock().unwrap().contains_key(&page)
    }

    unsafe fn free_space(&self, (): ()) {
        let pages = core::mem::take(&mut *self.pages.lock().unwrap());
        *self.frames.lock().unwrap() += pages.len();
    }

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

    fn device_interrupt(&self, irq: u32, input: &mut dyn FnMut(u8)) -> Claim {
        let bytes = core::mem::take(&mut *self.received.lock().unwrap());
        if irq != 10 || bytes.is_empty() {
            return Claim::Spurious;
        }
        bytes.into_iter().for_each(input);
        Claim::Console(irq)
    }

    fn hold_devices(&self, held: bool) {
        self.holds.lock().unwrap().push(held);
    }
}

const PID1: Pid = Pid::from_index(0);
const PID2: Pid = Pid::from_index(1);

fn call<const X86: bool>(os: &TestOs<X86>, pid: Pid, nr: usize, args: &[usize]) -> SyscallAction {
    let mut fs = 0usize;
    call_with(os, pid, nr, args, &mut fs)
}

fn call_with<const X86: bool>(
    os: &TestOs<X86>,
    pid: Pid,
    nr: usize,
    args: &[usize],
    fs: &mut usize,
) -> SyscallAction {
    let mut frame = FakeFrame { nr, args: [0; 6] };
    frame.args[..args.len()].copy_from_slice(args);
    os.syscall(&mut SyscallCx::new(pid, &frame, fs, 0))
}

fn ret(errno: isize) -> SyscallAction {
    SyscallAction::Return((-errno) as usize)
}

#[test]
fn write_to_stdout_and_stderr_reaches_the_console() {
    let os = TestOs::<false>::new(Fake::new());
    let base = os.platform().base;
    os.platform().user.lock().unwrap()[..3].copy_from_slice(b"hi\n");
    assert_eq!(call(&os, PID1, 64, &[1, base, 3]), SyscallAction::Return(3));
    assert_eq!(call(&os, PID1, 64, &[2, base, 2]), SyscallAction::Return(2));
    assert_eq!(os.platform().output(), "hi\nhi");
}

#[test]
fn write_with_a_kernel_pointer_or_huge_length_is_efault() {
    let os = TestOs::<false>::new(Fake::new());
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
    let os = TestOs::<false>::new(Fake::new());
    assert_eq!(call(&os, PID1, 64, &[0, 0, 1]), ret(9));
    assert_eq!(call(&os, PID1, 64, &[3, 0x8020_0000, 1]), ret(9));
}

#[test]
fn exit_exit_group_getpid_and_yield_map_to_their_actions() {
    let os = TestOs::<false>::new(Fake::new());
    assert_eq!(call(&os, PID1, 93, &[7]), SyscallAction::Exit(7));
    assert_eq!(call(&os, PID1, 94, &[usize::MAX]), SyscallAction::Exit(-1));
    assert_eq!(call(&os, PID2, 172, &[]), SyscallAction::Return(2));
    assert_eq!(call(&os, PID1, 124, &[]), SyscallAction::Yield(0));
}

#[test]
fn unknown_numbers_are_enosys_on_each_table() {
    let rv = TestOs::<false>::new(Fake::new());
    assert_eq!(
        call(&rv, PID1, 158, &[0x1002, 0]),
        ret(38),
        "no arch_prctl on RISC-V"
    );
    assert_eq!(call(&rv, PID1, 9999, &[]), ret(38));
    let x86 = TestOs::<true>::new(Fake::new());
    assert_eq!(call(&x86, PID1, 64, &[]), ret(38));
    assert_eq!(call(&x86, PID1, 39, &[]), SyscallAction::Return(1));
}

#[test]
fn clock_gettime_writes_a_32_bit_timespec_on_rv32() {
    let os = TestOs::<false>::new(Fake::new());
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
    let os = TestOs::<true>::new(Fake::new());
    let base = os.platform().base;
    assert_eq!(call(&os, PID1, 228, &[1, base]), SyscallAction::Return(0));
    let user = os.platform().user.lock().unwrap();
    assert_eq!(user[0..8], 3u64.to_le_bytes());
    assert_eq!(user[8..16], 123u64.to_le_bytes());
}

#[test]
fn clock_gettime_refuses_other_clocks_and_bad_pointers() {
    let os = TestOs::<true>::new(Fake::new());
    let base = os.platform().base;
    assert_eq!(call(&os, PID1, 228, &[2, base]), ret(22), "CPU time");
    assert_eq!(call(&os, PID1, 228, &[0, base]), SyscallAction::Return(0));
    assert_eq!(call(&os, PID1, 228, &[1, 0xffff_8000_0000_0000]), ret(14));
    assert_eq!(
        call(&os, PID1, 228, &[1, base + 56]),
        ret(14),
        "timespec runs off the end"
    );
}

#[test]
fn arch_prctl_set_fs_goes_through_the_platform() {
    let os = TestOs::<true>::new(Fake::new());
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
    let os = TestOs::<false>::new(Fake::new());
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
    let os = TestOs::<false>::new(Fake::new());
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

const BRK: usize = 12;
const MMAP: usize = 9;
const MUNMAP: usize = 11;
const MPROTECT: usize = 10;
const RW: usize = 3;
const ANON: usize = 0x22;

#[test]
fn brk_starts_at_the_heap_maps_whole_pages_and_shrinks() {
    let os = TestOs::<true>::new(Fake::new());
    let heap = 0x1000_0000;
    assert_eq!(call(&os, PID1, BRK, &[0]), SyscallAction::Return(heap));
    assert_eq!(
        call(&os, PID1, BRK, &[heap + 5000]),
        SyscallAction::Return(heap + 5000)
    );
    assert!(os.platform().mapped(heap) && os.platform().mapped(heap + 4096));
    assert!(!os.platform().mapped(heap + 8192));
    assert_eq!(
        call(&os, PID1, BRK, &[heap + 10]),
        SyscallAction::Return(heap + 10)
    );
    assert!(
        !os.platform().mapped(heap + 4096),
        "the second page went back"
    );
    assert_eq!(
        call(&os, PID2, BRK, &[0]),
        SyscallAction::Return(heap),
        "one break per process"
    );
    os.process_ended(&info(PID1, "p"), &Ending::Exited(0));
    assert_eq!(
        call(&os, PID1, BRK, &[0]),
        SyscallAction::Return(heap),
        "reset when it ends"
    );
}

#[test]
fn brk_beyond_the_heap_or_memory_stays_where_it_was() {
    let os = TestOs::<true>::new(Fake::new());
    let heap = 0x1000_0000;
    assert_eq!(
        call(&os, PID1, BRK, &[0x1010_0001]),
        SyscallAction::Return(heap)
    );
    assert_eq!(
        call(&os, PID1, BRK, &[heap - 1]),
        SyscallAction::Return(heap)
    );
    // 64 frames: 65 pages cannot be had, and none stays mapped.
    assert_eq!(
        call(&os, PID1, BRK, &[heap + 65 * 4096]),
        SyscallAction::Return(heap)
    );
    assert_eq!(*os.platform().frames.lock().unwrap(), 64);
}

#[test]
fn mmap_takes_the_first_free_run_and_munmap_gives_it_back() {
    let os = TestOs::<true>::new(Fake::new());
    let area = 0x2000_0000;
    assert_eq!(
        call(&os, PID1, MMAP, &[0, 8192, RW, ANON]),
        SyscallAction::Return(area)
    );
    assert_eq!(
        call(&os, PID1, MMAP, &[0, 100, RW, ANON]),
        SyscallAction::Return(area + 8192)
    );
    assert_eq!(
        call(&os, PID1, MUNMAP, &[area, 4096]),
        SyscallAction::Return(0)
    );
    assert_eq!(
        call(&os, PID1, MMAP, &[0, 4096, 1, ANON]),
        SyscallAction::Return(area)
    );
    assert_eq!(
        os.platform().pages.lock().unwrap()[&area],
        Prot::from_bits(1)
    );
    assert_eq!(
        call(&os, PID1, MMAP, &[0, 8192, RW, ANON]),
        SyscallAction::Return(area + 12288)
    );
}

#[test]
fn mmap_fixed_replaces_and_noreplace_refuses() {
    let os = TestOs::<true>::new(Fake::new());
    let at = 0x3000_0000;
    assert_eq!(
        call(&os, PID1, MMAP, &[at, 4096, RW, ANON | 0x10]),
        SyscallAction::Return(at)
    );
    assert_eq!(
        call(&os, PID1, MMAP, &[at, 4096, 1, ANON | 0x10]),
        SyscallAction::Return(at)
    );
    assert_eq!(os.platform().pages.lock().unwrap()[&at], Prot::from_bits(1));
    assert_eq!(
        call(&os, PID1, MMAP, &[at, 4096, RW, ANON | 0x10_0000]),
        ret(17)
    );
    assert_eq!(
        call(&os, PID1, MMAP, &[at + 1, 4096, RW, ANON | 0x10]),
        ret(22)
    );
    assert_eq!(
        call(&os, PID1, MMAP, &[0, 4096, RW, 0x02]),
        ret(19),
        "a file mapping"
    );
    assert_eq!(call(&os, PID1, MMAP, &[0, 0, RW, ANON]), ret(22));
}

#[test]
fn mmap_out_of_memory_is_enomem_and_maps_nothing() {
    let os = TestOs::<true>::new(Fake::new());
    assert_eq!(call(&os, PID1, MMAP, &[0, 65 * 4096, RW, ANON]), ret(12));
    assert!(os.platform().pages.lock().unwrap().is_empty());
    assert_eq!(
        call(&os, PID1, MMAP, &[0, 17 * 4096, RW, ANON]),
        ret(12),
        "the area holds 16 pages"
    );
}

#[test]
fn mprotect_changes_mapped_pages_only() {
    let os = TestOs::<true>::new(Fake::new());
    let at = 0x2000_0000;
    assert_eq!(
        call(&os, PID1, MMAP, &[0, 8192, RW, ANON]),
        SyscallAction::Return(at)
    );
    assert_eq!(
        call(&os, PID1, MPROTECT, &[at, 4096, 0]),
        SyscallAction::Return(0)
    );
    assert!(os.platform().pages.lock().unwrap()[&at].is_none());
    assert_eq!(
        call(&os, PID1, MPROTECT, &[at, 3 * 4096, 1]),
        ret(12),
        "a page is not mapped"
    );
    assert!(
        os.platform().pages.lock().unwrap()[&at].is_none(),
        "nothing changed"
    );
    assert_eq!(call(&os, PID1, MPROTECT, &[at + 1, 4096, 1]), ret(22));
}

#[test]
fn abort_kills_the_caller_with_sigabrt() {
    let os = TestOs::<true>::new(Fake::new());
    let abrt = SyscallAction::Kill("signal 6 (SIGABRT)");
    assert_eq!(call(&os, PID1, 234, &[1, 1, 6]), abrt, "tgkill");
    assert_eq!(call(&os, PID1, 200, &[1, 6]), abrt, "tkill");
    assert_eq!(call(&os, PID1, 62, &[0, 6]), abrt, "kill of its group");
    assert_eq!(
        call(&os, PID1, 62, &[1, 0]),
        SyscallAction::Return(0),
        "signal 0"
    );
    assert_eq!(
        call(&os, PID1, 62, &[1, 17]),
        SyscallAction::Return(0),
        "SIGCHLD is ignored"
    );
    assert_eq!(call(&os, PID1, 62, &[1, 65]), ret(22));
}

/// A process table of live pids that records what `kill` asks of it.
struct FakeProcesses {
    live: Vec<u32>,
    killed: Mutex<Vec<(u32, KillReason)>>,
}

impl Processes for FakeProcesses {
    fn pid(&self, number: u32) -> Option<Pid> {
        self.live
            .contains(&number)
            .then(|| Pid::new(number).unwrap())
    }
    fn kill_for(&self, pid: Pid, reason: KillReason) -> Result<(), ldex_core::kernel::KillError> {
        self.killed.lock().unwrap().push((pid.get(), reason));
        Ok(())
    }
}

#[test]
fn kill_of_another_pid_kills_it_through_the_kernel_naming_the_killer() {
    let os = TestOs::<true>::new(Fake::new());
    assert_eq!(call(&os, PID1, 62, &[2, 9]), ret(3), "no kernel yet: ESRCH");
    let table: &'static FakeProcesses = Box::leak(Box::new(FakeProcesses {
        live: vec![1, 2],
        killed: Mutex::new(Vec::new()),
    }));
    os.set_processes(table);
    assert_eq!(
        call(&os, PID1, 62, &[2, 0]),
        SyscallAction::Return(0),
        "exists"
    );
    assert_eq!(call(&os, PID1, 62, &[3, 0]), ret(3), "sig 0 of no such pid");
    assert_eq!(
        call(&os, PID1, 62, &[3, 9]),
        ret(3),
        "SIGKILL of no such pid"
    );
    assert_eq!(
        call(&os, PID1, 62, &[-1isize as usize, 9]),
        ret(3),
        "no groups"
    );
    assert_eq!(call(&os, PID1, 62, &[2, 65]), ret(22), "bad signal");
    assert_eq!(
        call(&os, PID1, 62, &[2, 17]),
        SyscallAction::Return(0),
        "SIGCHLD"
    );
    assert!(
        table.killed.lock().unwrap().is_empty(),
        "nothing killed yet"
    );
    assert_eq!(
        call(&os, PID1, 62, &[2, 9]),
        SyscallAction::Return(0),
        "SIGKILL"
    );
    assert_eq!(
        call(&os, PID1, 200, &[2, 15]),
        SyscallAction::Return(0),
        "tkill"
    );
    assert_eq!(
        call(&os, PID1, 234, &[2, 1, 15]),
        ret(3),
        "tgkill of a wrong tid"
    );
    let killer = Pid::new(1).unwrap();
    let by = |why| (2, KillReason::By { killer, why });
    assert_eq!(
        *table.killed.lock().unwrap(),
        [by("signal 9 (SIGKILL)"), by("signal 15 (SIGTERM)")]
    );
    assert_eq!(
        std::format!("{}", by("signal 9 (SIGKILL)").1),
        "signal 9 (SIGKILL) from pid 1"
    );
}

#[test]
fn writev_writes_each_buffer_in_turn() {
    let os = TestOs::<true>::new(Fake::new());
    let base = os.platform().base;
    {
        let mut user = os.platform().user.lock().unwrap();
        user[48..53].copy_from_slice(b"hello");
        for (i, v) in [base + 48, 2, base + 50, 3].iter().enumerate() {
            user[i * 8..i * 8 + 8].copy_from_slice(&(*v as u64).to_le_bytes());
        }
    }
    assert_eq!(call(&os, PID1, 20, &[1, base, 2]), SyscallAction::Return(5));
    assert_eq!(os.platform().output(), "hello");
    assert_eq!(call(&os, PID1, 20, &[1, 0x10, 1]), ret(14));
}

/// Counts the wakes an interrupt handler asks for.
struct Wakes(Mutex<Vec<WaitChannel>>);

impl Wake for Wakes {
    fn wake(&self, channel: WaitChannel) -> usize {
        self.0.lock().unwrap().push(channel);
        1
    }
}

#[test]
fn read_of_stdin_sleeps_until_the_receive_interrupt_buffers_bytes_and_wakes_it() {
    let os = TestOs::<true>::new(Fake::new());
    let base = os.platform().base;
    let sleep = SyscallAction::Sleep {
        channel: input::STDIN,
    };
    assert_eq!(call(&os, PID1, 0, &[0, base, 10]), sleep);
    assert!(os.still_waiting(input::STDIN));
    let wakes = Wakes(Mutex::new(Vec::new()));
    os.platform().received.lock().unwrap().extend(b"hi\n");
    os.interrupt(10, &wakes);
    assert_eq!(*wakes.0.lock().unwrap(), [input::STDIN]);
    assert!(
        !os.still_waiting(input::STDIN),
        "a wake before the block is not lost"
    );
    assert_eq!(call(&os, PID1, 0, &[0, base, 10]), SyscallAction::Return(3));
    assert_eq!(&os.platform().user.lock().unwrap()[..3], b"hi\n");
    assert_eq!(call(&os, PID1, 0, &[0, base, 10]), sleep);
}

#[test]
fn read_refuses_a_bad_buffer_and_other_fds_and_counts_spurious_interrupts() {
    let os = TestOs::<true>::new(Fake::new());
    let base = os.platform().base;
    os.platform().received.lock().unwrap().push(b'x');
    os.interrupt(10, &Wakes(Mutex::new(Vec::new())));
    assert_eq!(call(&os, PID1, 0, &[0, 0x10, 1]), ret(14));
    assert_eq!(call(&os, PID1, 0, &[5, base, 10]), ret(9));
    assert_eq!(call(&os, PID1, 0, &[1, base, 10]), ret(9));
    assert_eq!(
        call(&os, PID1, 0, &[0, base, 10]),
        SyscallAction::Return(1),
        "the refused reads took nothing"
    );
    os.interrupt(10, &Wakes(Mutex::new(Vec::new())));
    assert_eq!(os.spurious(), 1);
}

#[test]
fn console_descriptors_are_no_tty_stat_as_a_character_device_and_stdin_without_input_is_at_eof() {
    let os = TestOs::<true>::new(Fake::new());
    let base = os.platform().base;
    let no_input = TestOs::<false>::new(Fake::new());
    let b = no_input.platform().base;
    assert_eq!(
        call(&no_input, PID1, 63, &[0, b, 10]),
        SyscallAction::Return(0),
        "without console input, stdin is at end of file"
    );
    assert_eq!(call(&os, PID1, 16, &[1, 0x5401, base]), ret(25));
    assert_eq!(
        call(&os, PID1, 5, &[1, base]),
        ret(14),
        "144 bytes do not fit in 64"
    );
    let os = TestOs::<false>::new(Fake::new());
    let base = os.platform().base;
    assert_eq!(call(&os, PID1, 80, &[1, base - 64]), ret(14));
}

#[test]
fn bookkeeping_calls_answer_as_linux_for_one_thread() {
    let os = TestOs::<true>::new(Fake::new());
    let base = os.platform().base;
    assert_eq!(
        call(&os, PID2, 218, &[base]),
        SyscallAction::Return(2),
        "set_tid_address"
    );
    assert_eq!(
        call(&os, PID2, 186, &[]),
        SyscallAction::Return(2),
        "gettid"
    );
    assert_eq!(call(&os, PID1, 273, &[base, 24]), SyscallAction::Return(0));
    assert_eq!(call(&os, PID1, 334, &[base, 32, 0, 0]), ret(38), "rseq");
    assert_eq!(
        call(&os, PID1, 302, &[0, 3, 0, base]),
        SyscallAction::Return(0)
    );
    assert_eq!(
        os.platform().user.lock().unwrap()[..8],
        u64::MAX.to_le_bytes()
    );
    assert_eq!(call(&os, PID1, 89, &[base, base, 10]), ret(2), "readlink");
    assert_eq!(
        call(&os, PID1, 318, &[base, 16, 0]),
        SyscallAction::Return(16)
    );
    assert_eq!(call(&os, PID1, 318, &[0x10, 16, 0]), ret(14));
    assert_eq!(
        call(&os, PID1, 14, &[0, 0, base, 8]),
        SyscallAction::Return(0)
    );
    assert_eq!(
        call(&os, PID1, 63, &[base]),
        ret(14),
        "390 bytes do not fit in 64"
    );
}

#[test]
fn a_storm_of_device_interrupts_is_held_back_for_the_rest_of_the_tick() {
    let os = TestOs::<true>::new(Fake::new());
    let none = Wakes(Mutex::new(Vec::new()));
    let holds = || os.platform().holds.lock().unwrap().clone();
    for _ in 0..STORM_BUDGET - 1 {
        os.interrupt(10, &none);
    }
    os.tick();
    assert_eq!(holds(), [], "fewer than the budget in a tick is no storm");
    assert_eq!(os.storms(), 0);
    for _ in 0..STORM_BUDGET {
        os.interrupt(10, &none);
    }
    assert_eq!(
        holds(),
        [true],
        "the budget's last interrupt holds the devices"
    );
    os.tick();
    assert_eq!(holds(), [true, false], "the next tick lets them go");
    assert_eq!(os.storms(), 1);
    os.tick();
    assert_eq!(holds(), [true, false], "a quiet tick changes nothing");
}

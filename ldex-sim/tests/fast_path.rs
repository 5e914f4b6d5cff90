//! The per-CPU fast path keeps the protocol's meaning: with tracing switched
//! off the kernel reports no event (the common trap path tests it once), and a running process's own
//! system calls of its current run (counted in the CPU's block, not the
//! table) show in `Kernel::info`.

use std::sync::{Mutex, OnceLock};

use ldex_core::kstack::KernelStacks;
use ldex_core::sched::{Fifo, Hint};
use ldex_core::syscall::SyscallCx;
use ldex_core::trace::Event;
use ldex_core::{BootToken, Config, Kernel, Os, SyscallAction};
use ldex_sim::arch::{SimArch, SimTimer};
use ldex_sim::machine::{Machine, sysno};
use ldex_sim::memory::Memory;
use ldex_sim::scenario::Op;

/// An OS that records what the kernel reports and what `info` says.
struct Recorder {
    tracing: bool,
    kernel: OnceLock<&'static TestKernel>,
    events: Mutex<Vec<String>>,
    syscalls_seen: Mutex<Vec<u64>>,
}

impl Os<SimArch> for Recorder {
    fn syscall(&self, cx: &mut SyscallCx<'_, SimArch>) -> SyscallAction {
        match cx.nr() {
            sysno::GETPID => {
                let kernel = self.kernel.get().expect("attached");
                let info = kernel.info(cx.pid).expect("the caller is live");
                self.syscalls_seen.lock().unwrap().push(info.syscalls);
                SyscallAction::Return(cx.pid.get() as usize)
            }
            sysno::EXIT => SyscallAction::Exit(cx.arg(0) as i32),
            _ => SyscallAction::Return(0),
        }
    }

    fn tracing(&self) -> bool {
        self.tracing
    }

    fn trace(&self, event: &Event) {
        self.events.lock().unwrap().push(format!("{event:?}"));
    }
}

type TestKernel = Kernel<SimArch, Fifo, Recorder, 4, 1024>;

/// One process that calls `getpid` three times and exits, on a kernel whose
/// OS says `tracing`; returns the OS.
fn run(tracing: bool) -> &'static Recorder {
    let program = vec![Op::GetPid, Op::GetPid, Op::GetPid, Op::Exit(0)];
    let machine = Machine::new(vec![Memory::load(&program)], Vec::new(), 1_000, 1_000);
    Machine::adopt(machine);
    let kernel: &'static TestKernel = Box::leak(Box::new(TestKernel::new(
        Config::cooperative(),
        Fifo::new(),
        Recorder {
            tracing,
            kernel: OnceLock::new(),
            events: Mutex::new(Vec::new()),
            syscalls_seen: Mutex::new(Vec::new()),
        },
        Box::leak(KernelStacks::new_boxed()),
    )));
    let _ = kernel.os().kernel.set(kernel);
    // SAFETY: the machine starts in kernel mode and this is its one boot.
    let token = unsafe { BootToken::new() };
    kernel.boot(&token, None::<SimTimer>).expect("boots");
    kernel
        .spawn("p", 0, 0x1000, Some(0), Hint::NONE)
        .expect("room");
    let summary = kernel.run().expect("booted");
    assert_eq!(summary.reaped, 1);
    Machine::release();
    kernel.os()
}

#[test]
fn with_tracing_off_the_kernel_reports_no_event() {
    let on = run(true).events.lock().unwrap().clone();
    let off = run(false).events.lock().unwrap().clone();
    let named = |events: &[String], name: &str| {
        events
            .iter()
            .any(|e| e.split([' ', '{']).next() == Some(name))
    };
    let common = [
        "Trap",
        "SaveRegs",
        "Syscall",
        "ReturnFromTrap",
        "ToUserMode",
    ];
    for name in common {
        assert!(named(&on, name), "{name} is reported with tracing on");
    }
    assert!(named(&on, "Exit"));
    assert!(off.is_empty(), "reported with tracing off: {off:?}");
}

#[test]
fn info_counts_the_running_processes_system_calls_of_its_current_run() {
    let os = run(false);
    assert_eq!(*os.syscalls_seen.lock().unwrap(), [1, 2, 3]);
}

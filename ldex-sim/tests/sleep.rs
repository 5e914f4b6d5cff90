//! `SyscallAction::Sleep`: the call is made again once the process may go
//! on, and a wake that came before the block is not lost. Runs the real
//! `Kernel` on the simulated machine with an OS whose `getpid` sleeps
//! until a flag (set by a wake that "already happened") is up.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use ldex_core::kstack::KernelStacks;
use ldex_core::sched::{Fifo, Hint};
use ldex_core::syscall::{SyscallCx, WaitChannel};
use ldex_core::{BootToken, Config, Event, Kernel, Os, SyscallAction};
use ldex_sim::arch::{SimArch, SimTimer};
use ldex_sim::machine::{Machine, sysno};
use ldex_sim::memory::Memory;
use ldex_sim::scenario::Op;

const INPUT: WaitChannel = WaitChannel(1);

/// `getpid` sleeps on [`INPUT`] until `ready`; the first call sets it, as
/// an interrupt between the look and the block would.
#[derive(Default)]
struct LateWake {
    ready: AtomicBool,
    calls: AtomicUsize,
    rechecks: AtomicUsize,
    blocks: AtomicUsize,
}

impl Os<SimArch> for LateWake {
    fn syscall(&self, cx: &mut SyscallCx<'_, SimArch>) -> SyscallAction {
        match cx.nr() {
            sysno::GETPID => {
                self.calls.fetch_add(1, Ordering::Relaxed);
                if self.ready.swap(true, Ordering::Relaxed) {
                    SyscallAction::Return(7)
                } else {
                    SyscallAction::Sleep { channel: INPUT }
                }
            }
            sysno::EXIT => SyscallAction::Exit(cx.arg(0) as i32),
            _ => SyscallAction::Return(0),
        }
    }

    fn still_waiting(&self, channel: WaitChannel) -> bool {
        assert_eq!(channel, INPUT);
        self.rechecks.fetch_add(1, Ordering::Relaxed);
        !self.ready.load(Ordering::Relaxed)
    }

    fn trace(&self, event: &Event) {
        if let Event::Block { .. } = event {
            self.blocks.fetch_add(1, Ordering::Relaxed);
        }
    }
}

type SleepKernel = Kernel<SimArch, Fifo, LateWake, 2, 1024>;

#[test]
fn a_sleep_whose_wake_came_before_the_block_makes_the_call_again_without_blocking() {
    let program = vec![Op::GetPid, Op::Exit(0)];
    let machine = Machine::new(vec![Memory::load(&program)], Vec::new(), 1_000, 1_000);
    Machine::adopt(machine.clone());
    let kernel: &'static SleepKernel = Box::leak(Box::new(SleepKernel::new(
        Config::cooperative(),
        Fifo::new(),
        LateWake::default(),
        Box::leak(KernelStacks::new_boxed()),
    )));
    // SAFETY: the machine starts in kernel mode and this is its one boot.
    let token = unsafe { BootToken::new() };
    kernel.boot(&token, None::<SimTimer>).expect("boots");
    kernel
        .spawn("reader", 0, 0x1000, Some(0), Hint::NONE)
        .expect("room");
    let summary = kernel.run().expect("runs");
    assert_eq!(summary.reaped, 1);
    let os = kernel.os();
    assert_eq!(os.calls.load(Ordering::Relaxed), 2, "made again");
    assert_eq!(os.rechecks.load(Ordering::Relaxed), 1);
    assert_eq!(os.blocks.load(Ordering::Relaxed), 0, "never blocked");
    // SAFETY: `kernel` came from `Box::leak` above; dropping it joins its
    // kernel threads, after which nothing refers to it.
    drop(unsafe { Box::from_raw(kernel as *const SleepKernel as *mut SleepKernel) });
    Machine::release();
}

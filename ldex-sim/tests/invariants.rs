//! The switch invariants are checked, not only stated: an OS that breaks
//! one on purpose meets the kernel's named debug assertion (xv6's `sched()`
//! checks). Each test runs the real `Kernel` on the simulated machine with
//! an [`Os`] that misbehaves in one way, and reads the panic it ends in.
#![cfg(debug_assertions)]

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};

use ldex_core::kstack::KernelStacks;
use ldex_core::proc::{Ending, ProcInfo};
use ldex_core::sched::{Fifo, Hint};
use ldex_core::sync::SpinLock;
use ldex_core::syscall::SyscallCx;
use ldex_core::trace::Event;
use ldex_core::{BootToken, Config, Interrupts, Kernel, Os, SyscallAction};
use ldex_sim::arch::{SimArch, SimTimer};
use ldex_sim::machine::{Machine, sysno};
use ldex_sim::memory::Memory;
use ldex_sim::scenario::Op;

/// The ways the OS breaks the rules.
#[derive(Clone, Copy)]
enum Breach {
    /// `getpid` returns with a spin lock still held.
    ReturnHoldingLock,
    /// `getpid` yields with a spin lock still held.
    YieldHoldingLock,
    /// `getpid` returns with interrupts enabled.
    ReturnWithInterruptsOn,
    /// `getpid` yields with interrupts enabled.
    YieldWithInterruptsOn,
    /// The end-of-process hook keeps a spin lock; the next process is
    /// dispatched with it held.
    DispatchHoldingLock,
    /// The trace hook enables interrupts when a process is picked, on the
    /// scheduler's way to dispatching it.
    DispatchWithInterruptsOn,
}

/// An OS that breaks the rules in one way, with a lock of its own to
/// forget to release.
struct BadOs(Breach, SpinLock<(), SimArch>);

impl BadOs {
    /// Take the OS's lock and leak the guard: the lock stays held.
    fn keep_lock(&self) {
        std::mem::forget(self.1.lock());
    }
}

impl Os<SimArch> for BadOs {
    fn syscall(&self, cx: &mut SyscallCx<'_, SimArch>) -> SyscallAction {
        match (cx.nr(), self.0) {
            (sysno::GETPID, Breach::ReturnHoldingLock) => {
                self.keep_lock();
                SyscallAction::Return(0)
            }
            (sysno::GETPID, Breach::YieldHoldingLock) => {
                self.keep_lock();
                SyscallAction::Yield(0)
            }
            (sysno::GETPID, Breach::ReturnWithInterruptsOn) => {
                SimArch::enable();
                SyscallAction::Return(0)
            }
            (sysno::GETPID, Breach::YieldWithInterruptsOn) => {
                SimArch::enable();
                SyscallAction::Yield(0)
            }
            (sysno::EXIT, _) => SyscallAction::Exit(cx.arg(0) as i32),
            _ => SyscallAction::Return(0),
        }
    }

    fn trace(&self, event: &Event) {
        if let (Event::PickNext { .. }, Breach::DispatchWithInterruptsOn) = (event, self.0) {
            SimArch::enable();
        }
    }

    fn process_ended(&self, _: &ProcInfo, _: &Ending) {
        if let Breach::DispatchHoldingLock = self.0 {
            self.keep_lock();
        }
    }
}

type BadKernel = Kernel<SimArch, Fifo, BadOs, 4, 1024>;

/// Boot a kernel serving `BadOs(breach)` with two processes that each call
/// `getpid` and exit, run it, and return the message it panicked with.
fn panic_of(breach: Breach) -> String {
    let program = vec![Op::GetPid, Op::Exit(0)];
    let memories = vec![Memory::load(&program), Memory::load(&program)];
    let machine = Machine::new(memories, Vec::new(), 1_000, 1_000);
    Machine::adopt(machine.clone());
    let kernel: &'static BadKernel = Box::leak(Box::new(BadKernel::new(
        Config::cooperative(),
        Fifo::new(),
        BadOs(breach, SpinLock::new(())),
        Box::leak(KernelStacks::new_boxed()),
    )));
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: the machine starts in kernel mode and this is its one boot.
        let token = unsafe { BootToken::new() };
        kernel.boot(&token, None::<SimTimer>).expect("boots");
        for aspace in 0..2 {
            kernel
                .spawn("p", 0, 0x1000, Some(aspace), Hint::NONE)
                .expect("room for two");
        }
        kernel.run()
    }));
    // SAFETY: `kernel` came from `Box::leak` above; dropping it joins its
    // kernel threads, after which nothing refers to it.
    drop(unsafe { Box::from_raw(kernel as *const BadKernel as *mut BadKernel) });
    Machine::release();
    let payload: Box<dyn Any + Send> = match outcome {
        Err(payload) => payload,
        Ok(summary) => panic!("the breach went unnoticed: {summary:?}"),
    };
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

#[test]
fn a_syscall_returning_with_a_spin_lock_held_trips_the_return_from_trap_check() {
    assert_eq!(
        panic_of(Breach::ReturnHoldingLock),
        "return-from-trap: spin lock held"
    );
}

#[test]
fn a_syscall_yielding_with_a_spin_lock_held_trips_the_sched_out_check() {
    assert_eq!(
        panic_of(Breach::YieldHoldingLock),
        "sched_out: spin lock held"
    );
}

#[test]
fn a_syscall_returning_with_interrupts_enabled_trips_the_return_from_trap_check() {
    assert_eq!(
        panic_of(Breach::ReturnWithInterruptsOn),
        "return-from-trap: interrupts enabled"
    );
}

#[test]
fn a_syscall_yielding_with_interrupts_enabled_trips_the_sched_out_check() {
    assert_eq!(
        panic_of(Breach::YieldWithInterruptsOn),
        "sched_out: interrupts enabled"
    );
}

#[test]
fn dispatching_with_a_spin_lock_held_trips_the_dispatch_check() {
    assert_eq!(
        panic_of(Breach::DispatchHoldingLock),
        "dispatch: spin lock held"
    );
}

#[test]
fn dispatching_with_interrupts_enabled_trips_the_dispatch_check() {
    assert_eq!(
        panic_of(Breach::DispatchWithInterruptsOn),
        "dispatch: interrupts enabled"
    );
}

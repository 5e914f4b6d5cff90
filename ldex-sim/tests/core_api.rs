//! Misuse of the ldex-core API gets a documented error, shown on the
//! simulated arch.

use std::time::Duration;

use ldex_core::kernel::{BootError, KillError, RunError};
use ldex_core::kstack::KernelStacks;
use ldex_core::sched::Hint;
use ldex_core::trace::Event;
use ldex_core::{BootToken, Config};
use ldex_sim::arch::SimTimer;
use ldex_sim::machine::Machine;
use ldex_sim::memory::Memory;
use ldex_sim::os::SimOs;
use ldex_sim::policy;
use ldex_sim::run::{MAX_PROCS, SimKernel, on_sim_thread};
use ldex_sim::scenario::Op;
use ldex_sim::timeline::Entry;

type K = SimKernel;

fn kernel(config: Config) -> &'static K {
    kernel_with(config, Vec::new())
}

/// A kernel on a machine holding `memories` (address space `i` is
/// `memories[i]`).
fn kernel_with(config: Config, memories: Vec<Memory>) -> &'static K {
    Machine::adopt(Machine::new(memories, Vec::new(), 10, 100));
    let k: &'static K = Box::leak(Box::new(K::new(
        config,
        policy::by_name("rr", 1, MAX_PROCS).unwrap(),
        SimOs::new(Vec::new()),
        Box::leak(KernelStacks::new_boxed()),
    )));
    k.os().attach(k);
    k
}

#[test]
fn booting_twice_is_an_error() {
    on_sim_thread(|| {
        let k = kernel(Config::cooperative());
        // SAFETY: the machine is in kernel mode; the second token is the misuse under test.
        let token = unsafe { BootToken::new() };
        assert_eq!(k.boot(&token, None), Ok(()));
        assert_eq!(k.boot(&token, None), Err(BootError::AlreadyBooted));
    });
}

#[test]
fn a_secondary_cpu_before_boot_or_on_a_booted_cpu_is_an_error() {
    on_sim_thread(|| {
        let k = kernel(Config::cooperative());
        // SAFETY: the machine is in kernel mode; the misuse is the test.
        let token = unsafe { BootToken::new() };
        assert_eq!(k.boot_secondary(&token, None), Err(BootError::NotBooted));
        assert_eq!(k.boot(&token, None), Ok(()));
        // CPU 0 is the boot CPU, online already.
        assert_eq!(
            k.boot_secondary(&token, None),
            Err(BootError::AlreadyBooted)
        );
    });
}

#[test]
fn preemptive_mode_without_a_timer_is_an_error() {
    on_sim_thread(|| {
        let k = kernel(Config::preemptive(Duration::from_millis(1)));
        // SAFETY: boot code in kernel mode, once.
        let token = unsafe { BootToken::new() };
        assert_eq!(k.boot(&token, None), Err(BootError::NoTimer));
        assert_eq!(k.boot(&token, Some(SimTimer)), Ok(()));
    });
}

#[test]
fn a_tick_period_set_before_boot_is_the_one_the_timer_starts_with_and_after_boot_is_refused() {
    on_sim_thread(|| {
        let k = kernel(Config::preemptive(Duration::from_millis(1)));
        assert_eq!(k.set_tick_period(Duration::from_millis(3)), Ok(()));
        // SAFETY: boot code in kernel mode, once.
        let token = unsafe { BootToken::new() };
        assert_eq!(k.boot(&token, Some(SimTimer)), Ok(()));
        let started: Vec<u64> = Machine::current()
            .state()
            .timeline
            .entries()
            .iter()
            .filter_map(|(_, e)| match e {
                Entry::Core(Event::TimerStarted { period_us }) => Some(*period_us),
                _ => None,
            })
            .collect();
        assert_eq!(started, [3000]);
        assert_eq!(
            k.set_tick_period(Duration::from_millis(5)),
            Err(BootError::AlreadyBooted)
        );
    });
}

#[test]
fn running_before_boot_is_an_error() {
    on_sim_thread(|| {
        let k = kernel(Config::cooperative());
        assert_eq!(k.run(), Err(RunError::NotBooted));
    });
}

#[test]
fn killing_an_unknown_pid_is_an_error() {
    on_sim_thread(|| {
        let k = kernel(Config::cooperative());
        let pid = ldex_core::Pid::new(3).unwrap();
        assert!(k.kill(pid).is_err());
        assert!(k.info(pid).is_none());
    });
}

#[test]
fn kill_of_a_stale_pid_fails_instead_of_hitting_the_slots_new_process() {
    on_sim_thread(|| {
        let k = kernel_with(Config::cooperative(), vec![Memory::load(&[Op::Exit(0)])]);
        // SAFETY: boot code in kernel mode, once.
        let token = unsafe { BootToken::new() };
        k.boot(&token, None).unwrap();
        let old = k.spawn("old", 0, 0, Some(0), Hint::NONE).unwrap();
        assert_eq!(old.get(), 1);
        k.run().unwrap();
        let new = k.spawn("new", 0, 0, Some(0), Hint::NONE).unwrap();
        assert_eq!(new.index(), old.index(), "the slot is reused");
        assert_eq!(new.get(), 1 + MAX_PROCS as u32, "under a new pid");
        assert_eq!(k.kill(old), Err(KillError::NoSuchProcess));
        assert!(k.info(old).is_none());
        assert_eq!(k.pid(1), None);
        assert_eq!(k.pid(new.get()), Some(new));
        assert!(!k.info(new).unwrap().name.as_str().is_empty());
        assert_eq!(k.kill(new), Ok(()));
    });
}

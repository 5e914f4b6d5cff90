//! Misuse of the ldex-core API gets a documented error, shown on the
//! simulated arch.

use std::time::Duration;

use ldex_core::kernel::{BootError, RunError};
use ldex_core::{BootToken, Config};
use ldex_sim::arch::SimTimer;
use ldex_sim::machine::Machine;
use ldex_sim::os::SimOs;
use ldex_sim::policy;
use ldex_sim::run::{MAX_PROCS, SimKernel};

type K = SimKernel;

fn kernel(config: Config) -> &'static K {
    Machine::adopt(Machine::new(Vec::new(), Vec::new(), 10, 100));
    let k: &'static K = Box::leak(Box::new(K::new(
        config,
        policy::by_name("rr", 1, MAX_PROCS).unwrap(),
        SimOs::new(Vec::new()),
    )));
    k.os().attach(k);
    k
}

#[test]
fn booting_twice_is_an_error() {
    let k = kernel(Config::cooperative());
    // SAFETY: the machine is in kernel mode; the second token is the misuse under test.
    let token = unsafe { BootToken::new() };
    assert_eq!(k.boot(&token, None), Ok(()));
    assert_eq!(k.boot(&token, None), Err(BootError::AlreadyBooted));
}

#[test]
fn preemptive_mode_without_a_timer_is_an_error() {
    let k = kernel(Config::preemptive(Duration::from_millis(1)));
    // SAFETY: boot code in kernel mode, once.
    let token = unsafe { BootToken::new() };
    assert_eq!(k.boot(&token, None), Err(BootError::NoTimer));
    assert_eq!(k.boot(&token, Some(SimTimer)), Ok(()));
}

#[test]
fn running_before_boot_is_an_error() {
    let k = kernel(Config::cooperative());
    assert_eq!(k.run(), Err(RunError::NotBooted));
}

#[test]
fn killing_an_unknown_pid_is_an_error() {
    let k = kernel(Config::cooperative());
    let pid = ldex_core::Pid::new(3).unwrap();
    assert!(k.kill(pid).is_err());
    assert!(k.info(pid).is_none());
}

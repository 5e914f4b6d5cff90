//! The protocol on the simulated machine: what OSTEP chapter 6 promises.

use ldex_core::proc::{Ending, KillReason};
use ldex_core::{AccessKind, Privilege, TrapCause};
use ldex_sim::timeline::Entry;
use ldex_sim::{Report, parse, run, scenario};

fn run_text(text: &str) -> Report {
    run(&parse(text).expect("test scenario parses")).expect("known policy")
}

fn ending_of(report: &Report, name: &str) -> Option<Ending> {
    report
        .outcomes()
        .into_iter()
        .find(|(l, _)| l.name == name)
        .and_then(|(_, r)| r.map(|r| r.ending))
}

fn program_notes(report: &Report) -> Vec<String> {
    report
        .timeline
        .entries()
        .iter()
        .filter_map(|(_, e)| match e {
            Entry::Program { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn default_scenario_preempts_the_spinner_and_kills_the_rogue() {
    let r = run(&parse(scenario::DEFAULT).unwrap()).unwrap();
    let text = r.timeline.render();
    let preempt = text
        .find("preempt P2")
        .expect("the timer takes the CPU from the spinner");
    assert!(
        text[preempt..].contains("scheduler picks P3"),
        "and gives it to the next process"
    );
    assert_eq!(ending_of(&r, "syscaller"), Some(Ending::Exited(0)));
    assert_eq!(
        ending_of(&r, "rogue"),
        Some(Ending::Killed(KillReason::Fault(
            TrapCause::PrivilegedInstruction
        )))
    );
    assert_eq!(
        ending_of(&r, "spinner"),
        Some(Ending::Killed(KillReason::CpuLimit { ticks: 8 }))
    );
    assert!(text.contains("kill P3: privileged instruction"));
    assert!(r.halt.is_none());
}

#[test]
fn same_scenario_gives_byte_identical_output() {
    let a = run(&parse(scenario::DEFAULT).unwrap()).unwrap();
    let b = run(&parse(scenario::DEFAULT).unwrap()).unwrap();
    assert_eq!(a.timeline.render(), b.timeline.render());
    assert_eq!(a.render_results(), b.render_results());
    assert_eq!(a, b);
}

#[test]
fn cooperative_spinner_keeps_the_cpu_until_the_bound() {
    let mut s = parse(scenario::DEFAULT).unwrap();
    s.settings.preemptive = false;
    let r = run(&s).unwrap();
    let halt = r
        .halt
        .as_ref()
        .expect("the simulator had to stop the spinner")
        .0
        .clone();
    assert!(
        halt.contains("no timer: process 2 never gave the CPU back"),
        "{halt}"
    );
    assert_eq!(ending_of(&r, "syscaller"), Some(Ending::Exited(0)));
    assert_eq!(ending_of(&r, "rogue"), None, "the rogue never got the CPU");
    assert_eq!(r.counters.timer, 0);
}

#[test]
fn every_fault_kills_only_its_process_with_its_cause() {
    let r = run_text(
        "process priv\n privileged stop-timer\n\
         process kmem\n touch-kernel\n\
         process div\n divide-by-zero\n\
         process ok\n compute 3\n exit 7\n",
    );
    assert_eq!(
        ending_of(&r, "priv"),
        Some(Ending::Killed(KillReason::Fault(
            TrapCause::PrivilegedInstruction
        )))
    );
    let kmem = TrapCause::MemoryFault {
        addr: ldex_sim::machine::KERNEL_BASE,
        access: AccessKind::Read,
        from: Privilege::User,
    };
    assert_eq!(
        ending_of(&r, "kmem"),
        Some(Ending::Killed(KillReason::Fault(kmem)))
    );
    assert_eq!(
        ending_of(&r, "div"),
        Some(Ending::Killed(KillReason::Fault(TrapCause::DivideError)))
    );
    assert_eq!(ending_of(&r, "ok"), Some(Ending::Exited(7)));
}

#[test]
fn user_mode_cannot_change_the_trap_table_or_the_timer() {
    let r = run_text(
        "process a\n privileged set-trap-table\nprocess b\n privileged stop-timer\nprocess c\n compute 6\n",
    );
    assert_eq!(ending_of(&r, "c"), Some(Ending::Exited(0)));
    assert!(
        r.counters.timer >= 5,
        "the timer kept ticking after the attempt to stop it"
    );
}

#[test]
fn bad_pointers_and_unknown_syscalls_get_errors_not_kills() {
    let r = run_text("process a\n write-kernel-pointer\n syscall 999 1 2\n exit 3\n");
    assert_eq!(ending_of(&r, "a"), Some(Ending::Exited(3)));
    let notes = program_notes(&r);
    assert!(
        notes.contains(&"system call returns -14".to_string()),
        "{notes:?}"
    );
    assert!(
        notes.contains(&"system call returns -38".to_string()),
        "{notes:?}"
    );
}

#[test]
fn io_blocks_the_caller_and_the_disk_interrupt_wakes_it() {
    let r = run_text("process io\n io 5\n exit 1\nprocess cpu\n compute 3\n");
    assert_eq!(ending_of(&r, "io"), Some(Ending::Exited(1)));
    assert_eq!(r.counters.devices, 1);
    let text = r.timeline.render();
    assert!(
        text.contains("P1 blocks") && text.contains("wake P1"),
        "{text}"
    );
    let end = r
        .outcomes()
        .iter()
        .find(|(l, _)| l.name == "io")
        .unwrap()
        .1
        .unwrap()
        .end;
    assert!(end >= 5, "the read took 5 ticks, ended at {end}");
}

#[test]
fn yield_gives_the_cpu_to_the_next_process() {
    let r = run_text("quantum 100\nprocess a\n yield\n compute 1\nprocess b\n compute 1\n");
    assert_eq!(
        r.schedules[0].first().copied().flatten().map(|p| p.get()),
        Some(2),
        "b ran first after a yielded"
    );
    assert!(r.timeline.render().contains("P1 yields"));
}

#[test]
fn late_arrivals_are_created_by_the_arrival_interrupt() {
    let r = run_text("process first\n compute 2\nprocess late arrival=6\n compute 1\n exit 4\n");
    assert_eq!(ending_of(&r, "late"), Some(Ending::Exited(4)));
    assert_eq!(r.launches[1].tick, 6);
    assert!(
        r.schedules[0][2..6].iter().all(Option::is_none),
        "the CPU idled until the arrival"
    );
}

#[test]
fn cpu_time_charged_by_timer_ticks_matches_the_machine() {
    let r = run_text(
        "quantum 3\nprocess a\n compute 7\nprocess b\n compute 5\n io 2\n compute 4\nprocess c\n spin\ncpu-limit 9\n",
    );
    for (launch, result) in r.outcomes() {
        let result = result.expect("every process ended");
        assert_eq!(
            result.info.cpu_ticks,
            r.user_ticks(launch, Some(result.end)),
            "{}",
            launch.name
        );
    }
}

#[test]
fn an_unknown_policy_is_an_error_listing_the_valid_ones() {
    let mut s = parse(scenario::DEFAULT).unwrap();
    s.settings.policy = "lifo".into();
    let e = run(&s).expect_err("lifo is not a policy").to_string();
    assert!(
        e.contains("unknown policy \"lifo\"") && e.contains("rr"),
        "{e}"
    );
}

/// A slow system call in P1 while P2 waits; returns the timeline text
/// between P1's syscall work and its return from that trap.
fn slow_syscall_window(preemption: &str) -> String {
    let r = run_text(&format!(
        "kernel-preemption {preemption}\nquantum 1\nprocess slow\n kernel-work 3\n exit 0\nprocess other\n compute 2\n"
    ));
    assert_eq!(ending_of(&r, "slow"), Some(Ending::Exited(0)));
    assert_eq!(ending_of(&r, "other"), Some(Ending::Exited(0)));
    let text = r.timeline.render();
    let start = text
        .find("do work of syscall 4097")
        .expect("the slow call ran");
    let end = start
        + text[start..]
            .find("return-from-trap (into P1)")
            .expect("and returned");
    text[start..end].to_string()
}

#[test]
fn preemptible_kernel_switches_away_inside_a_slow_syscall() {
    let window = slow_syscall_window("on");
    assert!(
        window.contains("timer interrupt in kernel mode"),
        "{window}"
    );
    assert!(
        window.contains("preempt P1") && window.contains("scheduler picks P2"),
        "{window}"
    );
}

#[test]
fn non_preemptible_kernel_finishes_the_syscall_before_the_pending_tick() {
    let window = slow_syscall_window("off");
    assert!(!window.contains("in kernel mode"), "{window}");
    assert!(!window.contains("scheduler picks P2"), "{window}");
}

#[test]
fn a_process_the_kernel_refuses_is_in_the_results_with_the_reason() {
    use ldex_core::sched::Fifo;
    use ldex_sim::policy::DynPolicy;
    let scenario = parse("process a\n  compute 1\nprocess b\n  compute 1\n").unwrap();
    // A policy with room for one process: the kernel refuses the second.
    let policy = DynPolicy::new(Box::new(Fifo::with_capacity(1)));
    let r = ldex_sim::run::run_with(&scenario, policy);
    let results = r.render_results();
    assert!(
        results.contains("   -  b            not created: the policy is full"),
        "{results}"
    );
    let summary = r.render_summary();
    assert!(
        summary.contains("not created: 1 (see the results)"),
        "{summary}"
    );
}

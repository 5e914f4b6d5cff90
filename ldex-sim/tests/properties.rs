//! Property tests: random programs × every policy × cooperative and
//! preemptive mode × 1 to 4 CPUs (for the policies that run on several),
//! checked against what limited direct execution promises.
//!
//! `cargo xtask test` runs 10,000 cases from a fixed seed. For more, or
//! another seed: `LDEX_PROPTEST_CASES=100000 LDEX_PROPTEST_SEED=7 cargo test
//! --release -p ldex-sim --test properties`. A failing case is shrunk, and
//! the smallest one is written to `target/proptest-failure.scn`, which
//! `cargo run -p ldex-sim -- --scenario target/proptest-failure.scn` replays.

use ldex_core::proc::{Ending, KillReason};
use ldex_core::sched::Hint;
use ldex_core::{AccessKind, Privilege, TrapCause};
use ldex_sim::machine::KERNEL_BASE;
use ldex_sim::scenario::PrivOp;
use ldex_sim::{Op, ProcSpec, Report, Scenario, Settings, policy, run};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

/// The CPU-time limit that ends spinners in preemptive runs; no other
/// generated program comes near it.
const CPU_LIMIT: u64 = 200;

fn config() -> Config {
    let env = |k: &str| std::env::var(k).ok().and_then(|v| v.parse::<u64>().ok());
    Config {
        cases: env("LDEX_PROPTEST_CASES").unwrap_or(10_000) as u32,
        rng_seed: RngSeed::Fixed(env("LDEX_PROPTEST_SEED").unwrap_or(0x1de5)),
        failure_persistence: None,
        ..Config::default()
    }
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (1u64..5).prop_map(Op::Compute),
        1 => Just(Op::Write("hi".into())),
        1 => Just(Op::WriteKernelPointer),
        1 => Just(Op::GetPid),
        1 => (500usize..600).prop_map(|n| Op::Syscall(n, vec![1, 2])),
        1 => Just(Op::Yield),
        1 => (1u64..4).prop_map(Op::Io),
        1 => (1u64..3).prop_map(Op::KernelWork),
        1 => Just(Op::Spin),
        1 => prop_oneof![Just(PrivOp::SetTrapTable), Just(PrivOp::StopTimer)].prop_map(Op::Privileged),
        1 => Just(Op::TouchKernel),
        1 => Just(Op::DivideByZero),
        1 => (0i32..10).prop_map(Op::Exit),
    ]
}

fn scenario() -> impl Strategy<Value = Scenario> {
    let procs = prop::collection::vec((prop::collection::vec(op(), 0..6), 0u64..6, 1u32..4), 1..5);
    let policies = prop::sample::select(policy::NAMES.to_vec());
    (
        procs,
        policies,
        1u64..4,
        any::<bool>(),
        any::<bool>(),
        1usize..=4,
    )
        .prop_map(
            |(procs, policy, quantum, preemptive, kernel_preemption, cpus)| Scenario {
                settings: Settings {
                    policy: policy.to_string(),
                    quantum,
                    preemptive,
                    kernel_preemption,
                    cpu_limit: preemptive.then_some(CPU_LIMIT),
                    cpus: if runs_on_smp(policy) { cpus } else { 1 },
                    ..Settings::default()
                },
                procs: procs
                    .into_iter()
                    .enumerate()
                    .map(|(i, (program, arrival, tickets))| ProcSpec {
                        name: format!("p{i}"),
                        arrival,
                        hint: Hint {
                            length: Some(program.len() as u64 + 1),
                            tickets,
                        },
                        program,
                    })
                    .collect(),
            },
        )
}

/// Does the policy run on several CPUs (the others refuse a second one)?
fn runs_on_smp(name: &str) -> bool {
    use ldex_core::Scheduler;
    policy::by_name(name, 1, 1)
        .expect("a policy of policy::NAMES")
        .supports_smp()
}

/// How a program must end, read off its instructions.
#[derive(Debug, PartialEq)]
enum Expect {
    Ends(Ending),
    Spins,
}

fn expected(program: &[Op]) -> Expect {
    let fault = |c| Expect::Ends(Ending::Killed(KillReason::Fault(c)));
    for op in program {
        match op {
            Op::Exit(code) => return Expect::Ends(Ending::Exited(*code)),
            Op::Spin => return Expect::Spins,
            Op::Privileged(_) => return fault(TrapCause::PrivilegedInstruction),
            Op::DivideByZero => return fault(TrapCause::DivideError),
            Op::TouchKernel => {
                return fault(TrapCause::MemoryFault {
                    addr: KERNEL_BASE,
                    access: AccessKind::Read,
                    from: Privilege::User,
                });
            }
            _ => {}
        }
    }
    Expect::Ends(Ending::Exited(0))
}

/// Keep the failing scenario where a person can replay it.
fn save(s: &Scenario) -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../target/proptest-failure.scn"
    );
    let _ = std::fs::write(path, s.to_text());
    format!("replay: cargo run -p ldex-sim -- --scenario {path}")
}

/// Saves the scenario when a failure message is printed.
struct Replay<'a>(&'a Scenario);

impl std::fmt::Display for Replay<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&save(self.0))
    }
}

fn check(s: &Scenario, r: &Report) -> Result<(), TestCaseError> {
    // The messages' arguments are only evaluated when an assertion fails.
    let replay = Replay(s);
    // Each CPU that came online (CPU 0 may finish the run before another
    // one boots) loaded its trap table once.
    prop_assert_eq!(
        r.counters.trap_table_loads,
        r.cpu_stats.iter().flatten().count() as u64,
        "a trap table was loaded again, or an online CPU had none; {}",
        replay
    );
    let ticks = r.schedules.iter().map(Vec::len).max().unwrap_or(0);
    for t in 0..ticks {
        let mut on: Vec<_> = r
            .schedules
            .iter()
            .filter_map(|s| s.get(t).copied().flatten())
            .collect();
        let running = on.len();
        on.sort();
        on.dedup();
        prop_assert_eq!(
            on.len(),
            running,
            "a process ran on two CPUs at once in tick {}; {}",
            t,
            replay
        );
    }
    if s.settings.preemptive {
        prop_assert!(
            r.halt.is_none(),
            "a preemptive run stopped: {:?}; {}",
            r.halt,
            replay
        );
    }
    for (launch, result) in r.outcomes() {
        let spec = s
            .procs
            .iter()
            .find(|p| p.name == launch.name)
            .expect("launched from the scenario");
        match (expected(&spec.program), result) {
            (Expect::Ends(want), Some(got)) => {
                prop_assert_eq!(
                    got.ending,
                    want,
                    "{} ended wrongly; {}",
                    launch.name,
                    replay
                )
            }
            (Expect::Spins, Some(got)) => prop_assert_eq!(
                got.ending,
                Ending::Killed(KillReason::CpuLimit { ticks: CPU_LIMIT }),
                "{} spins; {}",
                launch.name,
                replay
            ),
            (_, None) => prop_assert!(
                r.halt
                    .as_ref()
                    .is_some_and(|h| h.0.contains("never gave the CPU back")),
                "{} never ended, and no spinner held the CPU; {}",
                launch.name,
                replay
            ),
        }
        if let (true, Some(got)) = (s.settings.preemptive, result) {
            prop_assert_eq!(
                got.info.cpu_ticks,
                r.user_ticks(launch, Some(got.end)),
                "CPU time of {} does not add up; {}",
                launch.name,
                replay
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn random_programs_end_as_their_instructions_say_on_every_policy_and_mode(s in scenario()) {
        let r = run(&s).expect("the policy names come from policy::NAMES");
        check(&s, &r)?;
        let again = run(&s).expect("same scenario");
        prop_assert!(again == r, "the same scenario gave a different report; {}", save(&s));
    }
}

fn compute_only() -> impl Strategy<Value = (Vec<u64>, u64)> {
    (prop::collection::vec(1u64..30, 1..6), 1u64..5)
}

proptest! {
    #![proptest_config(Config { cases: 500, ..config() })]

    #[test]
    fn round_robin_never_makes_a_process_wait_more_than_n_minus_1_quanta((lengths, quantum) in compute_only()) {
        let n = lengths.len();
        let s = Scenario {
            settings: Settings { policy: "rr".into(), quantum, ..Settings::default() },
            procs: lengths
                .iter()
                .enumerate()
                .map(|(i, &len)| ProcSpec {
                    name: format!("p{i}"),
                    arrival: 0,
                    hint: Hint::NONE,
                    program: vec![Op::Compute(len)],
                })
                .collect(),
        };
        let r = run(&s).unwrap();
        let bound = (n as u64 - 1) * quantum;
        for l in &r.launches {
            let ticks: Vec<usize> =
                r.schedules[0].iter().enumerate().filter(|(_, p)| **p == Some(l.pid)).map(|(t, _)| t).collect();
            let first_wait = ticks[0] as u64;
            prop_assert!(first_wait <= bound, "{} waited {} ticks to start; {}", l.name, first_wait, save(&s));
            for w in ticks.windows(2) {
                let wait = (w[1] - w[0] - 1) as u64;
                prop_assert!(wait <= bound, "{} waited {} > {} ticks; {}", l.name, wait, bound, save(&s));
            }
        }
    }
}

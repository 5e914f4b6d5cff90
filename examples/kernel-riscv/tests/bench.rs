//! The instruction-count benchmark (not a timed test; ignored by default):
//! boots `bench` and `bench-partner` under `-icount shift=0,sleep=off`,
//! where every figure is an exact, repeatable count of guest instructions
//! (U, S and M mode), and prints the table.
//!
//! ```text
//! cd examples
//! for t in riscv64gc-unknown-none-elf riscv32imac-unknown-none-elf; do
//!   cargo build --release -p kernel-riscv -p user -p user-riscv --target $t
//! done
//! cargo test -p kernel-riscv --test bench -- --ignored --nocapture
//! ```
#![cfg(not(target_os = "none"))]

mod support;

use support::{Arch, RV32, RV64, bin, boot, cpio};

const FIGURES: [&str; 3] = [
    "null syscall round trip (getpid, ecall)",
    "yield round trip between two processes",
    "timer interrupt, entry to exit",
];

fn measure(arch: &Arch, tag: &str, cpu: &[&str]) -> Vec<u64> {
    let files = ["bench", "bench-partner"].map(|n| (n.to_owned(), bin(arch, n)));
    let mut args = vec!["-icount", "shift=0,sleep=off"];
    args.extend_from_slice(cpu);
    // A long quantum: no tick switches while the timer gap is measured.
    let (out, status) = boot(
        arch,
        tag,
        Some(&cpio(&files)),
        "quantum=1000 cpulimit=100000",
        &args,
    );
    assert_eq!(status, 0, "{out}");
    FIGURES
        .iter()
        .map(|f| {
            let prefix = format!("bench: {f}: ");
            let line = out
                .lines()
                .find_map(|l| l.strip_prefix(&prefix))
                .unwrap_or_else(|| panic!("no `{prefix}` line:\n{out}"));
            line.trim_end_matches(" instructions").parse().unwrap()
        })
        .collect()
}

#[test]
#[ignore = "a benchmark: run with --ignored --nocapture"]
fn bench_instruction_counts_under_icount() {
    let rows = [
        ("rv64, Sstc timer", measure(&RV64, "bench-sstc", &[])),
        (
            "rv64, SBI timer",
            measure(&RV64, "bench-sbi", &["-cpu", "rv64,sstc=off"]),
        ),
        ("rv32, Sstc timer", measure(&RV32, "bench-rv32", &[])),
    ];
    println!(
        "| guest instructions (qemu -icount shift=0,sleep=off) | {} |",
        rows.iter().map(|r| r.0).collect::<Vec<_>>().join(" | ")
    );
    println!("|---|---|---|---|");
    for (i, f) in FIGURES.iter().enumerate() {
        println!(
            "| {f} | {} |",
            rows.iter()
                .map(|r| r.1[i].to_string())
                .collect::<Vec<_>>()
                .join(" | ")
        );
    }
}

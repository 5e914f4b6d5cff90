//! Boots kernel-riscv in QEMU, rv64 and rv32, and checks the console
//! transcript line by line.
//!
//! One boot per arch runs the whole set in one initrd: the bundled programs
//! (`user`), the hostile set (`user-riscv`, `fault-repeat` six times, the FP
//! keeper twice) and six malformed files. The test checks that
//!
//! * every malformed file is refused with one line naming it;
//! * every program that started ends with exactly one
//!   `[pid N NAME] ENDING` line, N counting the started programs in archive
//!   order, and ENDING the one the program must end with;
//! * the well-behaved programs printed everything they should, in order;
//! * the kernel says all processes ended and QEMU exits with status 0.
//!
//! Other boots check that a missing or empty initrd is reported and exits
//! nonzero, and that the SBI timer path (no Sstc) works.
//!
//! The programs and the kernel must be built first (this test does not run
//! cargo, which holds the build lock while tests run):
//!
//! ```text
//! cd examples
//! for t in riscv64gc-unknown-none-elf riscv32imac-unknown-none-elf; do
//!   cargo build --release -p kernel-riscv -p user -p user-riscv --target $t
//! done
//! cargo test -p kernel-riscv --test qemu
//! ```
#![cfg(not(target_os = "none"))]

mod support;

use support::{Arch, CPU_LIMIT, RV32, RV64, bin, boot, cpio};

/// How a program must end.
#[derive(Clone, Debug)]
enum End {
    Exit(i32),
    Killed(String),
}

fn killed(cause: &str) -> End {
    End::Killed(cause.to_owned())
}

impl std::fmt::Display for End {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            End::Exit(code) => write!(f, "exit {code}"),
            End::Killed(cause) => write!(f, "killed: {cause}"),
        }
    }
}

const PRIVILEGED: &str = "privileged instruction";
const K: &str = "0x80200000";

/// (file name in the initrd, program binary, how it must end)
fn programs(arch: &Arch) -> Vec<(String, &'static str, End)> {
    let mut p: Vec<(String, &'static str, End)> = vec![
        ("hello".into(), "hello", End::Exit(0)),
        ("exerciser".into(), "exerciser", End::Exit(0)),
        ("yielder".into(), "yielder", End::Exit(0)),
        (
            "spinner".into(),
            "spinner",
            killed(&format!("CPU time limit ({CPU_LIMIT} ticks)")),
        ),
        ("csr-stvec".into(), "csr-stvec", killed(PRIVILEGED)),
        ("csr-satp".into(), "csr-satp", killed(PRIVILEGED)),
        ("csr-sstatus".into(), "csr-sstatus", killed(PRIVILEGED)),
        ("csr-sscratch".into(), "csr-sscratch", killed(PRIVILEGED)),
        ("sret".into(), "sret", killed(PRIVILEGED)),
        ("wfi".into(), "wfi", killed(PRIVILEGED)),
        ("illegal".into(), "illegal", killed("illegal instruction")),
        ("ebreak".into(), "ebreak", killed("breakpoint")),
        (
            "kread".into(),
            "kread",
            killed(&format!("memory fault (user read at {K})")),
        ),
        (
            "kwrite".into(),
            "kwrite",
            killed(&format!("memory fault (user write at {K})")),
        ),
        (
            "kjump".into(),
            "kjump",
            killed(&format!("memory fault (user execute at {K})")),
        ),
        (
            "null-deref".into(),
            "null-deref",
            killed("memory fault (user read at 0x0)"),
        ),
        ("efault".into(), "efault", End::Exit(0)),
        (
            "mmio-poweroff".into(),
            "mmio-poweroff",
            killed("memory fault (user write at 0xc0100000)"),
        ),
        ("efault-huge".into(), "efault-huge", End::Exit(0)),
        ("enosys".into(), "enosys", End::Exit(0)),
        (
            "ksp-syscall".into(),
            "ksp-syscall",
            killed("memory fault (user write at 0x802ffff0)"),
        ),
        (
            "spin-forever".into(),
            "spin-forever",
            killed(&format!("CPU time limit ({CPU_LIMIT} ticks)")),
        ),
    ];
    for i in 1..=6 {
        p.push((
            format!("fault-repeat-{i}"),
            "fault-repeat",
            killed(&format!("memory fault (user write at {K})")),
        ));
    }
    let fpu_end = if arch.fpu {
        End::Exit(0)
    } else {
        killed("illegal instruction")
    };
    p.push(("fpu-keeper-1".into(), "fpu-keeper", fpu_end.clone()));
    p.push(("fpu-keeper-2".into(), "fpu-keeper", fpu_end));
    p
}

/// Malformed files: (name, bytes, what the refusal line must say).
fn malformed(arch: &Arch) -> Vec<(String, Vec<u8>, &'static str)> {
    let hello = bin(arch, "hello");
    let other = if arch.name == "rv64" { &RV32 } else { &RV64 };
    let mut wrong_machine = hello.clone();
    wrong_machine[18] = 62; // e_machine = EM_X86_64
    wrong_machine[19] = 0;
    let mut in_kernel = hello.clone();
    let is64 = hello[4] == 2;
    let half = |at: usize| u16::from_le_bytes([hello[at], hello[at + 1]]) as usize;
    let (phoff, phentsize, phnum) = if is64 {
        (
            u64::from_le_bytes(hello[0x20..0x28].try_into().unwrap()) as usize,
            half(0x36),
            half(0x38),
        )
    } else {
        (
            u32::from_le_bytes(hello[0x1c..0x20].try_into().unwrap()) as usize,
            half(0x2a),
            half(0x2c),
        )
    };
    let loads: Vec<usize> = (0..phnum)
        .map(|i| phoff + i * phentsize)
        .filter(|&ph| u32::from_le_bytes(hello[ph..ph + 4].try_into().unwrap()) == 1)
        .collect();
    // Move the first PT_LOAD segment onto the kernel image.
    let load = loads[0];
    if is64 {
        in_kernel[load + 0x10..load + 0x18].copy_from_slice(&0x8020_0000u64.to_le_bytes());
    } else {
        in_kernel[load + 0x08..load + 0x0c].copy_from_slice(&0x8020_0000u32.to_le_bytes());
    }
    // Give the last PT_LOAD a gigabyte of memory (it still fits user space).
    let mut huge = hello.clone();
    let last = *loads.last().unwrap();
    if is64 {
        huge[last + 0x28..last + 0x30].copy_from_slice(&0x3000_0000u64.to_le_bytes());
    } else {
        huge[last + 0x14..last + 0x18].copy_from_slice(&0x3000_0000u32.to_le_bytes());
    }
    vec![
        ("huge-bss".into(), huge, "segment larger than 16 MiB"),
        (
            "bad-magic".into(),
            b"#!/bin/sh\necho not an ELF file\n".to_vec(),
            "not an ELF file (bad magic)",
        ),
        ("truncated".into(), hello[..100].to_vec(), "truncated"),
        ("wrong-machine".into(), wrong_machine, "wrong machine"),
        ("wrong-class".into(), bin(other, "hello"), "wrong ELF class"),
        ("in-kernel".into(), in_kernel, "overlaps the kernel"),
    ]
}

fn full_set_ends_as_expected(arch: &Arch) {
    let progs = programs(arch);
    let bad = malformed(arch);
    // Malformed files first, between them the programs: refusals must not
    // shift the pids of the rest.
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut bad_iter = bad.iter();
    for (i, (name, file, _)) in progs.iter().enumerate() {
        if i % 6 == 0
            && let Some((n, data, _)) = bad_iter.next()
        {
            files.push((n.clone(), data.clone()));
        }
        files.push((name.clone(), bin(arch, file)));
    }
    for (n, data, _) in bad_iter {
        files.push((n.clone(), data.clone()));
    }
    let (out, status) = boot(
        arch,
        "full",
        Some(&cpio(&files)),
        &format!("cpulimit={CPU_LIMIT}"),
        &[],
    );
    let lines: Vec<&str> = out.lines().collect();
    let mut problems = Vec::new();

    for (name, _, why) in &bad {
        let prefix = format!("[initrd {name}] refused: ");
        match lines
            .iter()
            .filter(|l| l.starts_with(&prefix))
            .collect::<Vec<_>>()[..]
        {
            [line] if line.contains(why) => {}
            ref found => problems.push(format!(
                "{name}: want one refusal saying `{why}`, got {found:?}"
            )),
        }
    }
    for (i, (name, _, end)) in progs.iter().enumerate() {
        let want = format!("[pid {} {name}] {end}", i + 1);
        let tag = format!(" {name}] ");
        let found: Vec<&&str> = lines
            .iter()
            .filter(|l| l.starts_with("[pid ") && l.contains(&tag))
            .collect();
        if found.len() != 1 || *found[0] != want {
            problems.push(format!("want `{want}`, got {found:?}"));
        }
    }
    let pid_of = |name: &str| progs.iter().position(|p| p.0 == name).unwrap() + 1;
    let mut expected_output = vec![
        format!("hello from pid {}", pid_of("hello")),
        "exerciser: all ".to_owned(),
        "efault: clock_gettime(MONOTONIC, unmapped pointer): -14 as expected".to_owned(),
        "efault-huge: write(1, buf, 1 GiB): -14 as expected".to_owned(),
        "enosys: syscall usize::MAX: -38 as expected".to_owned(),
    ];
    let y = pid_of("yielder");
    expected_output.extend((1..=5).map(|r| format!("yielder {y}: round {r} of 5")));
    expected_output.push(format!("yielder {y}: done"));
    if arch.fpu {
        for name in ["fpu-keeper-1", "fpu-keeper-2"] {
            expected_output.push(format!(
                "fpu-keeper {}: all 32 FP registers survived 20 yields",
                pid_of(name)
            ));
        }
    }
    for want in &expected_output {
        if !lines.iter().any(|l| l.starts_with(want.as_str())) {
            problems.push(format!("missing output line `{want}`"));
        }
    }
    if let Some(l) = lines.iter().find(|l| l.starts_with("exerciser: all "))
        && !l.ends_with("checks passed")
    {
        problems.push(format!("exerciser: `{l}`"));
    }
    let yielder_rounds: Vec<&&str> = lines
        .iter()
        .filter(|l| l.starts_with(&format!("yielder {y}: ")))
        .collect();
    if !yielder_rounds
        .windows(2)
        .all(|w| w[0] < w[1] || w[1].ends_with("done"))
    {
        problems.push(format!("yielder lines out of order: {yielder_rounds:?}"));
    }
    let last = format!("[kernel] all {} processes ended", progs.len());
    if !lines.iter().any(|l| l.starts_with(&last)) {
        problems.push(format!("missing `{last} ...`"));
    }
    if status != 0 {
        problems.push(format!("QEMU exit status {status}, want 0"));
    }
    assert!(
        problems.is_empty(),
        "{}:\n  {}\n--- transcript ---\n{out}",
        arch.name,
        problems.join("\n  ")
    );
}

#[test]
fn rv64_hostile_set_and_bundled_programs_end_as_expected_in_one_boot() {
    full_set_ends_as_expected(&RV64);
}

#[test]
fn rv32_hostile_set_and_bundled_programs_end_as_expected_in_one_boot() {
    full_set_ends_as_expected(&RV32);
}

#[test]
fn missing_initrd_is_reported_and_exits_nonzero() {
    let (out, status) = boot(&RV64, "noinitrd", None, "", &[]);
    assert!(out.contains("[kernel] no initrd"), "{out}");
    assert_eq!(status, 2, "{out}");
}

#[test]
fn empty_initrd_is_reported_and_exits_nonzero() {
    let (out, status) = boot(&RV32, "empty", Some(&cpio(&[])), "", &[]);
    assert!(out.contains("[kernel] the initrd holds no files"), "{out}");
    assert_eq!(status, 2, "{out}");
}

#[test]
fn without_sstc_the_sbi_timer_still_preempts_and_enforces_the_cpu_limit() {
    for (arch, cpu) in [(&RV64, "rv64,sstc=off"), (&RV32, "rv32,sstc=off")] {
        let files = [
            ("hello", "hello"),
            ("spinner", "spinner"),
            ("yielder", "yielder"),
        ]
        .map(|(n, f)| (n.to_owned(), bin(arch, f)));
        let (out, status) = boot(
            arch,
            "sbi",
            Some(&cpio(&files)),
            "cpulimit=20",
            &["-cpu", cpu],
        );
        assert!(out.contains("timer: SBI set_timer"), "{out}");
        assert!(out.contains("[pid 1 hello] exit 0"), "{out}");
        assert!(
            out.contains("[pid 2 spinner] killed: CPU time limit (20 ticks)"),
            "{out}"
        );
        assert!(out.contains("[pid 3 yielder] exit 0"), "{out}");
        assert_eq!(status, 0, "{out}");
    }
}

#[test]
fn trace_prints_the_protocol_timeline_in_order() {
    let files = [("hello".to_owned(), bin(&RV64, "hello"))];
    let (out, status) = boot(&RV64, "trace", Some(&cpio(&files)), "trace", &[]);
    let steps = [
        "[trace] OS       | initialize trap table",
        "[trace] Hardware | remember address of syscall handler, timer handler",
        "[trace] OS       | start interrupt timer",
        "[trace] OS       | create entry for process list (P1)",
        "[trace] OS       | fill kernel stack with reg/PC (P1)",
        "[trace] OS       | scheduler picks P1",
        "[trace] OS       | return-from-trap (into P1)",
        "[trace] Hardware | move to user mode; jump to P1's PC",
        "[trace] Hardware | trap into OS",
        "[trace] Hardware | save regs(P1) -> k-stack(P1)",
        "[trace] OS       | do work of syscall 64",
        "hello from pid 1",
        "[trace] OS       | do work of syscall 93",
        "[trace] OS       | P1 exits with code 0",
        "[trace] OS       | free memory of process; remove P1 from process list",
        "[pid 1 hello] exit 0",
    ];
    let mut lines = out.lines();
    for step in steps {
        assert!(
            lines.any(|l| l.starts_with(step)),
            "`{step}` missing or out of order:\n{out}"
        );
    }
    assert_eq!(status, 0, "{out}");
}

/// The C program of `docs/abi.md`, compiled by the GNU cross compiler.
fn c_hello(arch: &Arch) -> Vec<u8> {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/abi.md"))
        .expect("docs/abi.md");
    let start = doc.find("```c\n").expect("a C block in docs/abi.md") + 5;
    let source = &doc[start..start + doc[start..].find("```").unwrap()];
    let dir =
        std::env::temp_dir().join(format!("ldex-c-hello-{}-{}", arch.name, std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("hello.c"), source).unwrap();
    let out = dir.join("hello");
    let mut gcc = std::process::Command::new("riscv64-linux-gnu-gcc");
    if arch.name == "rv32" {
        gcc.args(["-march=rv32imac", "-mabi=ilp32"]);
    }
    let status = gcc
        .args(["-nostdlib", "-static", "-O2", "-o"])
        .arg(&out)
        .arg(dir.join("hello.c"))
        .status()
        .expect("riscv64-linux-gnu-gcc");
    assert!(status.success(), "riscv64-linux-gnu-gcc failed");
    let elf = std::fs::read(&out).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    elf
}

#[test]
fn a_c_program_built_outside_the_workspace_runs_on_rv64_and_rv32() {
    for arch in [&RV64, &RV32] {
        let files = [("hello-c".to_owned(), c_hello(arch))];
        let (out, status) = boot(arch, "c", Some(&cpio(&files)), "", &[]);
        let mut lines = out.lines();
        assert!(lines.any(|l| l == "hello from C"), "{}: {out}", arch.name);
        assert!(
            lines.any(|l| l == "[pid 1 hello-c] exit 0"),
            "{}: {out}",
            arch.name
        );
        assert_eq!(status, 0, "{out}");
    }
}

/// With `KernelPreemption::On`, system calls run with interrupts enabled:
/// a tick that lands in one is taken on the process's kernel stack (the
/// entry's kernel path: `sscratch` was 0), and the process is preempted
/// right there. The traced boot spends most of its time printing inside
/// system calls, so ticks land there every run (7 to 20 times in 25 to 30
/// ticks, measured); every program must still end normally.
#[test]
fn timer_interrupts_taken_in_kernel_mode_preempt_system_calls_and_nothing_breaks() {
    for arch in [&RV64, &RV32] {
        let mut files = Vec::new();
        for i in 1..=4 {
            files.push((format!("exerciser-{i}"), bin(arch, "exerciser")));
            files.push((format!("yielder-{i}"), bin(arch, "yielder")));
        }
        let (out, status) = boot(arch, "kpreempt", Some(&cpio(&files)), "trace", &[]);
        let lines: Vec<&str> = out.lines().collect();
        let kernel_ticks = lines
            .windows(2)
            .filter(|w| {
                w[0].ends_with("| timer interrupt in kernel mode") && w[1].contains("| preempt P")
            })
            .count();
        assert!(
            kernel_ticks > 0,
            "{}: no tick preempted a system call:\n{out}",
            arch.name
        );
        for (name, _) in &files {
            let ended = lines
                .iter()
                .any(|l| l.starts_with("[pid ") && l.ends_with(&format!(" {name}] exit 0")));
            assert!(ended, "{}: {name} did not exit 0:\n{out}", arch.name);
        }
        assert_eq!(status, 0, "{out}");
    }
}

//! The AArch64 example kernel's descriptor (see [`super`]): `aarch64` boots
//! `kernel-aarch64` as a Linux arm64 Image ([`KernelFormat::Raw`]) on QEMU
//! `virt` with a Cortex-A72, checked against
//! `examples/kernel-aarch64/expect/`.

use super::{
    Arch, Bench, Boot, Build, Cc, Entry, Exit, Initrd, KernelFormat, Outcome, Programs, Qemu,
    Typed, USER_BINS,
};

/// A clean run powers off through PSCI (QEMU exits 0); a failure exits
/// through semihosting with the kernel's code (see the kernel's `board.rs`).
const EXIT: Exit = Exit {
    success: 0,
    device: "PSCI SYSTEM_OFF exits 0, semihosting SYS_EXIT exits with the kernel's code",
};

/// The bundled programs, the hostile set (`user-aarch64`) and malformed ELF
/// files, in the order `full-set.expect` numbers them.
const FULL_SET: &[Entry] = &[
    Entry::Bytes("bad-magic", b"#!/bin/sh\necho not an ELF file\n"),
    Entry::Bytes("truncated", b"\x7fELF\x02\x01\x01"),
    Entry::File(
        "wrong-machine",
        "examples/kernel-riscv/testdata/exit0-64.elf",
    ),
    Entry::File("wrong-class", "examples/kernel-riscv/testdata/exit0-32.elf"),
    Entry::Bin("hello"),
    Entry::Bin("exerciser"),
    Entry::Bin("yielder"),
    Entry::Bin("spinner"),
    Entry::Bin("msr-vbar"),
    Entry::Bin("msr-sctlr"),
    Entry::Bin("msr-ttbr0"),
    Entry::Bin("mrs-esr"),
    Entry::Bin("eret"),
    Entry::Bin("hvc"),
    Entry::Bin("smc"),
    Entry::Bin("semihost"),
    Entry::Bin("daifset"),
    Entry::Bin("timer-write"),
    Entry::Bin("wfi"),
    Entry::Bin("cache-flush"),
    Entry::Bin("illegal"),
    Entry::Bin("brk"),
    Entry::Bin("kread"),
    Entry::Bin("kwrite"),
    Entry::Bin("kjump"),
    Entry::Bin("null-deref"),
    Entry::Bin("uart-write"),
    Entry::Bin("ksp-syscall"),
    Entry::Bin("pc-misaligned"),
    Entry::Bin("spin-forever"),
    Entry::Named("fault-repeat-1", "fault-repeat"),
    Entry::Named("fault-repeat-2", "fault-repeat"),
    Entry::Named("fault-repeat-3", "fault-repeat"),
    Entry::Named("fault-repeat-4", "fault-repeat"),
    Entry::Named("fpu-keeper-1", "fpu-keeper"),
    Entry::Named("fpu-keeper-2", "fpu-keeper"),
    Entry::Bin("regs-check"),
    Entry::Bin("regs-partner"),
];

/// One boot checked against `examples/kernel-aarch64/expect/$expect`.
const fn boot(
    name: &'static str,
    cmdline: &'static str,
    kernel_features: &'static [&'static str],
    initrd: Initrd,
    expect: &'static str,
    outcome: Outcome,
) -> Boot {
    Boot {
        name,
        cmdline,
        kernel_features,
        initrd,
        qemu_args: &[],
        expect,
        outcome,
        timeout_secs: 180,
        input: None,
    }
}

/// The full set on one CPU.
const FULL_SET_BOOT: Boot = boot(
    "full-set",
    "cpulimit=30",
    &[],
    Initrd::Entries(FULL_SET),
    "examples/kernel-aarch64/expect/full-set.expect",
    Outcome::Success,
);

/// The boots `cargo xtask test` runs; the console-input boots (the PL011's
/// receive interrupt, GIC id 33) follow.
const BOOTS: &[Boot] = with_console_boots!(
    "examples/kernel-aarch64",
    [
        FULL_SET_BOOT,
        // The same programs and expectations on the CPUs PSCI CPU_ON starts.
        Boot {
            name: "full-set-smp2",
            qemu_args: &["-smp", "2"],
            timeout_secs: 300,
            ..FULL_SET_BOOT
        },
        Boot {
            name: "full-set-smp4",
            qemu_args: &["-smp", "4"],
            timeout_secs: 300,
            ..FULL_SET_BOOT
        },
        kill_ipi_smp2!("examples/kernel-aarch64"),
        boot(
            "conformance",
            "",
            &["conformance"],
            Initrd::Entries(&[Entry::Bin("conformance")]),
            "examples/kernel-aarch64/expect/conformance.expect",
            Outcome::Success,
        ),
        boot(
            "no-initrd",
            "",
            &[],
            Initrd::Absent,
            "examples/kernel-aarch64/expect/no-initrd.expect",
            Outcome::ExitCode(2),
        ),
        boot(
            "empty-initrd",
            "",
            &[],
            Initrd::Entries(&[]),
            "examples/kernel-aarch64/expect/empty-initrd.expect",
            Outcome::ExitCode(2),
        ),
        boot(
            "trace",
            "trace",
            &[],
            Initrd::Entries(&[Entry::Bin("hello")]),
            "examples/kernel-aarch64/expect/trace.expect",
            Outcome::Success,
        ),
        // Unmodified C programs of `examples/c`, built by the stock
        // `aarch64-linux-gnu-gcc -static` (glibc): TLS through TPIDR_EL0,
        // floating point through the first-use trap, malloc, mmap, abort().
        boot(
            "libc",
            "cpulimit=200",
            &[],
            Initrd::Entries(&[
                Entry::C("hello-glibc", Cc::Aarch64Glibc, "hello.c"),
                Entry::C("libc-tour-glibc", Cc::Aarch64Glibc, "libc-tour.c"),
                Entry::C("abort-glibc", Cc::Aarch64Glibc, "abort.c"),
                Entry::C("null-glibc", Cc::Aarch64Glibc, "null.c"),
            ]),
            "examples/kernel-aarch64/expect/libc.expect",
            Outcome::Success,
        ),
        // `-cpu max` has PAN (ARMv8.1): the kernel turns it on, and every copy
        // of user memory must go through `with_user_access`.
        Boot {
            name: "pan",
            cmdline: "cpulimit=30",
            kernel_features: &[],
            initrd: Initrd::Entries(&[
                Entry::Bin("hello"),
                Entry::Bin("exerciser"),
                Entry::Bin("kread"),
                // Runnable throughout, so regs-check's timer spin is preempted.
                Entry::Bin("spinner"),
                Entry::Bin("regs-check"),
                Entry::Bin("regs-partner"),
            ]),
            qemu_args: &["-cpu", "max"],
            expect: "examples/kernel-aarch64/expect/pan.expect",
            outcome: Outcome::Success,
            timeout_secs: 180,
            input: None,
        },
        // Ticks that land in system calls (run with IRQs unmasked) are taken
        // through the EL1 slots and preempt the call there.
        Boot {
            name: "kernel-preempt",
            cmdline: "trace",
            kernel_features: &[],
            initrd: super::EXERCISERS_AND_YIELDERS,
            qemu_args: &["-icount", "shift=7,sleep=off"],
            expect: "examples/kernel-aarch64/expect/kernel-preempt.expect",
            outcome: Outcome::Success,
            timeout_secs: 180,
            input: None,
        },
        // `restart=2`: a restarted process gets a fresh ProcessState (FP off,
        // TPIDR_EL0 0) as well as a fresh frame.
        boot(
            "restart-clean",
            "restart=2",
            &[],
            Initrd::Entries(&[Entry::Bin("restart-clean")]),
            "examples/kernel-aarch64/expect/restart-clean.expect",
            Outcome::Success,
        ),
        // A flood of 1000 lines while `echo` is alone: each byte comes in
        // by its own interrupt or joins the FIFO during a drain, so a driver
        // that lowers a byte's interrupt without reading it (clearing
        // `UARTICR` after the drain instead of before) loses the line for
        // good and hangs.
        Boot {
            name: "console-flood",
            cmdline: "cpulimit=30",
            kernel_features: &[],
            initrd: Initrd::Entries(&[Entry::Bin("echo")]),
            qemu_args: &[],
            expect: "examples/kernel-aarch64/expect/console-flood.expect",
            outcome: Outcome::Success,
            timeout_secs: 120,
            input: Some(Typed {
                after: "[kernel] tick ",
                text: "the quick brown fox\n",
                times: 1000,
            }),
        },
        boot(
            "kernel-fault",
            "",
            &["kernel-fault-test"],
            Initrd::Entries(&[Entry::Bin("hello")]),
            "examples/kernel-aarch64/expect/kernel-fault.expect",
            Outcome::ExitCode(1),
        ),
        // A kernel stack overflow, reported from the emergency stack.
        boot(
            "kernel-stack-overflow",
            "",
            &["kernel-stack-overflow-test"],
            Initrd::Entries(&[Entry::Bin("hello")]),
            "examples/kernel-aarch64/expect/kernel-stack-overflow.expect",
            Outcome::ExitCode(1),
        ),
        // CPU 1's scheduler stack overflows into its guard page, reported
        // from CPU 1's emergency stack; CPU 0 spins meanwhile.
        Boot {
            qemu_args: &["-smp", "2"],
            ..boot(
                "secondary-stack-overflow-smp2",
                "",
                &["secondary-stack-overflow-test"],
                Initrd::Entries(&[Entry::Bin("spinner")]),
                "examples/kernel-aarch64/expect/secondary-stack-overflow.expect",
                Outcome::ExitCode(1),
            )
        },
        // A write to the kernel's own text (W^X).
        boot(
            "wx",
            "",
            &["wx-test"],
            Initrd::Entries(&[Entry::Bin("hello")]),
            "examples/kernel-aarch64/expect/wx.expect",
            Outcome::ExitCode(1),
        ),
        // A CPU that never arrives after `CPU_ON`: CPU 0 gives up on it
        // after 1 s and runs on its own.
        Boot {
            qemu_args: &["-smp", "2"],
            ..boot(
                "cpu-no-show-smp2",
                "",
                &["cpu-no-show-test"],
                Initrd::Entries(&[Entry::Bin("hello")]),
                "examples/kernel-aarch64/expect/cpu-no-show.expect",
                Outcome::Success,
            )
        },
    ]
);

/// `bench` and `bench-partner` with a long quantum, so no tick switches
/// while the timer gap is measured (as on RISC-V).
const BENCH: Bench = Bench {
    cmdline: "quantum=1000 cpulimit=100000",
    kernel_features: &[],
    initrd: Initrd::Entries(&[Entry::Bin("bench"), Entry::Bin("bench-partner")]),
    qemu_args: &[],
    timeout_secs: 300,
};

/// QEMU virt with a Cortex-A72 (ARMv8.0: no PAN), entered at EL1, with
/// semihosting for the failure exit.
pub const QEMU: Qemu = Qemu {
    binary: "qemu-system-aarch64",
    args: &[
        "-machine",
        "virt",
        "-cpu",
        "cortex-a72",
        "-m",
        "128M",
        "-nographic",
        "-monitor",
        "none",
        "-semihosting",
    ],
    kernel_format: KernelFormat::Raw,
    ..Qemu::LINUX_FLAGS
};

/// The AArch64 boots.
pub const ARCHES: &[Arch] = &[Arch {
    name: "aarch64",
    kernel: Build {
        package: "kernel-aarch64",
        bin: "kernel-aarch64",
        target: "aarch64-unknown-none-softfloat",
        features: &[],
    },
    firmware: None,
    programs: Programs {
        packages: &["user", "user-aarch64"],
        target: "aarch64-unknown-none",
        bins: USER_BINS,
    },
    qemu: QEMU,
    exit: EXIT,
    default_cmdline: "cpulimit=50",
    boots: BOOTS,
    bench: Some(BENCH),
    homework: None,
}];

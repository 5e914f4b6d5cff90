//! The RISC-V example kernel's descriptors (see [`super`]): `riscv64` boots
//! under OpenSBI (`-bios default`), `riscv32` under `minisbi`, the kernel
//! package's own M-mode firmware (Debian's QEMU ships no rv32 OpenSBI; see
//! `docs/arch-riscv.md`). Both run the same boots, checked against
//! `examples/kernel-riscv/expect/`.

use super::{
    Arch, Bench, Boot, Build, Cc, Entry, Exit, Initrd, Outcome, Programs, Qemu, USER_BINS,
};

/// The bundled programs, the hostile set (`user-riscv`), a C program built
/// outside the workspace and malformed ELF files, in the order the
/// `full-set-*.expect` files number them. `$xlen` picks the class-specific
/// test data, `$other` the other class (for the wrong-class file).
macro_rules! full_set {
    ($xlen:literal, $other:literal) => {
        &[
            Entry::Bytes("bad-magic", b"#!/bin/sh\necho not an ELF file\n"),
            Entry::Bytes("truncated", b"\x7fELF\x02\x01\x01"),
            Entry::File(
                "wrong-machine",
                concat!(
                    "examples/kernel-riscv/testdata/wrong-machine-",
                    $xlen,
                    ".elf"
                ),
            ),
            Entry::File(
                "wrong-class",
                concat!("examples/kernel-riscv/testdata/exit0-", $other, ".elf"),
            ),
            Entry::File(
                "in-kernel",
                concat!("examples/kernel-riscv/testdata/in-kernel-", $xlen, ".elf"),
            ),
            Entry::File(
                "huge",
                concat!("examples/kernel-riscv/testdata/huge-", $xlen, ".elf"),
            ),
            Entry::Bin("hello"),
            Entry::Bin("exerciser"),
            Entry::Bin("yielder"),
            Entry::Bin("spinner"),
            Entry::Bin("csr-stvec"),
            Entry::Bin("csr-satp"),
            Entry::Bin("csr-sstatus"),
            Entry::Bin("csr-sscratch"),
            Entry::Bin("sret"),
            Entry::Bin("wfi"),
            Entry::Bin("illegal"),
            Entry::Bin("ebreak"),
            Entry::Bin("kread"),
            Entry::Bin("kwrite"),
            Entry::Bin("kjump"),
            Entry::Bin("null-deref"),
            Entry::Bin("mmio-poweroff"),
            Entry::Bin("efault"),
            Entry::Bin("efault-huge"),
            Entry::Bin("enosys"),
            Entry::Bin("ksp-syscall"),
            Entry::Bin("spin-forever"),
            Entry::Named("fault-repeat-1", "fault-repeat"),
            Entry::Named("fault-repeat-2", "fault-repeat"),
            Entry::Named("fault-repeat-3", "fault-repeat"),
            Entry::Named("fault-repeat-4", "fault-repeat"),
            Entry::Named("fault-repeat-5", "fault-repeat"),
            Entry::Named("fault-repeat-6", "fault-repeat"),
            Entry::Named("fpu-keeper-1", "fpu-keeper"),
            Entry::Named("fpu-keeper-2", "fpu-keeper"),
            Entry::File(
                "hello-c",
                concat!("examples/kernel-riscv/testdata/hello-c-rv", $xlen),
            ),
            Entry::File(
                "exit0",
                concat!("examples/kernel-riscv/testdata/exit0-", $xlen, ".elf"),
            ),
            Entry::Bin("regs-check"),
            Entry::Bin("regs-partner"),
        ]
    };
}

/// The boots of one XLEN: `$cpu` is the `-cpu` model, `$xlen` "64" or "32"
/// and `$other` the other one; `$extra` boots of this XLEN only follow.
macro_rules! boots {
    ($cpu:literal, $xlen:literal, $other:literal $(, $extra:expr)*) => {
        with_console_boots!("examples/kernel-riscv", [
            Boot {
                name: "full-set",
                cmdline: "cpulimit=30",
                kernel_features: &[],
                initrd: Initrd::Entries(full_set!($xlen, $other)),
                qemu_args: &[],
                expect: concat!("examples/kernel-riscv/expect/full-set-rv", $xlen, ".expect"),
                outcome: Outcome::Success,
                timeout_secs: 180,
                input: None,
            },
            Boot {
                name: "conformance",
                cmdline: "",
                kernel_features: &["conformance"],
                initrd: Initrd::Entries(&[Entry::Bin("conformance")]),
                qemu_args: &[],
                expect: "examples/kernel-riscv/expect/conformance.expect",
                outcome: Outcome::Success,
                timeout_secs: 60,
                input: None,
            },
            Boot {
                name: "conformance-sbi-timer",
                cmdline: "",
                kernel_features: &["conformance"],
                initrd: Initrd::Entries(&[Entry::Bin("conformance")]),
                qemu_args: &["-cpu", concat!($cpu, ",sstc=off")],
                expect: "examples/kernel-riscv/expect/conformance.expect",
                outcome: Outcome::Success,
                timeout_secs: 60,
                input: None,
            },
            Boot {
                name: "no-initrd",
                cmdline: "",
                kernel_features: &[],
                initrd: Initrd::Absent,
                qemu_args: &[],
                expect: "examples/kernel-riscv/expect/no-initrd.expect",
                outcome: Outcome::ExitCode(2),
                timeout_secs: 60,
                input: None,
            },
            Boot {
                name: "empty-initrd",
                cmdline: "",
                kernel_features: &[],
                initrd: Initrd::Entries(&[]),
                qemu_args: &[],
                expect: "examples/kernel-riscv/expect/empty-initrd.expect",
                outcome: Outcome::ExitCode(2),
                timeout_secs: 60,
                input: None,
            },
            Boot {
                name: "sbi-timer",
                cmdline: "cpulimit=20",
                kernel_features: &[],
                initrd: Initrd::Entries(&[
                    Entry::Bin("hello"),
                    Entry::Bin("spinner"),
                    Entry::Bin("yielder"),
                ]),
                qemu_args: &["-cpu", concat!($cpu, ",sstc=off")],
                expect: "examples/kernel-riscv/expect/sbi-timer.expect",
                outcome: Outcome::Success,
                timeout_secs: 120,
                input: None,
            },
            Boot {
                name: "trace",
                cmdline: "trace",
                kernel_features: &[],
                initrd: Initrd::Entries(&[Entry::Bin("hello")]),
                qemu_args: &[],
                expect: "examples/kernel-riscv/expect/trace.expect",
                outcome: Outcome::Success,
                timeout_secs: 60,
                input: None,
            },
            Boot {
                name: "kernel-fault",
                cmdline: "",
                kernel_features: &["kernel-fault-test"],
                initrd: Initrd::Entries(&[Entry::Bin("hello")]),
                qemu_args: &[],
                expect: "examples/kernel-riscv/expect/kernel-fault.expect",
                outcome: Outcome::ExitCode(1),
                timeout_secs: 60,
                input: None,
            },
            Boot {
                name: "kernel-preempt",
                cmdline: "trace",
                kernel_features: &[],
                initrd: super::EXERCISERS_AND_YIELDERS,
                qemu_args: &["-icount", "shift=7,sleep=off"],
                expect: "examples/kernel-riscv/expect/kernel-preempt.expect",
                outcome: Outcome::Success,
                timeout_secs: 120,
                input: None,
            },
            $($extra,)*
        ])
    };
}

/// The full set of `$xlen` on `-smp $cpus`, named `$name`: the same
/// programs and the same expectations as on one CPU.
macro_rules! full_set_smp {
    ($name:literal, $cpus:literal, $xlen:literal, $other:literal) => {
        Boot {
            name: $name,
            cmdline: "cpulimit=30",
            kernel_features: &[],
            initrd: Initrd::Entries(full_set!($xlen, $other)),
            qemu_args: &["-smp", $cpus],
            expect: concat!("examples/kernel-riscv/expect/full-set-rv", $xlen, ".expect"),
            outcome: Outcome::Success,
            timeout_secs: 300,
            input: None,
        }
    };
}

/// A hart that never arrives after `hart_start`: CPU 0 gives up on it
/// after 1 s and runs on its own.
const CPU_NO_SHOW: Boot = Boot {
    name: "cpu-no-show-smp2",
    cmdline: "",
    kernel_features: &["cpu-no-show-test"],
    initrd: Initrd::Entries(&[Entry::Bin("hello")]),
    qemu_args: &["-smp", "2"],
    expect: "examples/kernel-riscv/expect/cpu-no-show.expect",
    outcome: Outcome::Success,
    timeout_secs: 60,
    input: None,
};

/// `FaultPolicy::Restart` starts a process over with every register clean
/// (`restart-clean`, three starts).
const RESTART_CLEAN: Boot = Boot {
    name: "restart-clean",
    cmdline: "restart=2",
    kernel_features: &[],
    initrd: Initrd::Entries(&[Entry::Bin("restart-clean")]),
    qemu_args: &[],
    expect: "examples/kernel-riscv/expect/restart-clean.expect",
    outcome: Outcome::Success,
    timeout_secs: 60,
    input: None,
};

/// A test build of the kernel that must end in a diagnosis and exit 1
/// (`examples/kernel-riscv/src/fault_test.rs`), with `hello` to run.
const fn fault_boot(
    name: &'static str,
    feature: &'static [&'static str],
    expect: &'static str,
) -> Boot {
    Boot {
        name,
        cmdline: "",
        kernel_features: feature,
        initrd: Initrd::Entries(&[Entry::Bin("hello")]),
        qemu_args: &[],
        expect,
        outcome: Outcome::ExitCode(1),
        timeout_secs: 60,
        input: None,
    }
}

/// A kernel stack overflow, reported from the emergency stack.
const KERNEL_STACK_OVERFLOW: Boot = fault_boot(
    "kernel-stack-overflow",
    &["kernel-stack-overflow-test"],
    "examples/kernel-riscv/expect/kernel-stack-overflow.expect",
);

/// CPU 1's scheduler stack overflows into its guard page, reported from
/// CPU 1's emergency stack; CPU 0 spins meanwhile.
const SECONDARY_STACK_OVERFLOW: Boot = Boot {
    name: "secondary-stack-overflow-smp2",
    cmdline: "",
    kernel_features: &["secondary-stack-overflow-test"],
    initrd: Initrd::Entries(&[Entry::Bin("spinner")]),
    qemu_args: &["-smp", "2"],
    expect: "examples/kernel-riscv/expect/secondary-stack-overflow.expect",
    outcome: Outcome::ExitCode(1),
    timeout_secs: 60,
    input: None,
};

/// A read of user memory outside `with_user_access` (SUM clear).
const SUM: Boot = fault_boot(
    "sum",
    &["sum-test"],
    "examples/kernel-riscv/expect/sum.expect",
);

/// A write to the kernel's own text (W^X).
const WX: Boot = fault_boot("wx", &["wx-test"], "examples/kernel-riscv/expect/wx.expect");

/// A trap inside the return-to-user window.
const RETURN_WINDOW: Boot = fault_boot(
    "return-window",
    &["return-window-test"],
    "examples/kernel-riscv/expect/return-window.expect",
);

/// Unmodified C programs of `examples/c`, built by the stock
/// `riscv64-linux-gnu-gcc -static` (glibc): what they print and how they
/// end is what Linux shows.
const LIBC_RV64: Boot = Boot {
    name: "libc",
    cmdline: "cpulimit=200",
    kernel_features: &[],
    initrd: Initrd::Entries(&[
        Entry::C("hello-glibc", Cc::Riscv64Glibc, "hello.c"),
        Entry::C("libc-tour-glibc", Cc::Riscv64Glibc, "libc-tour.c"),
        Entry::C("abort-glibc", Cc::Riscv64Glibc, "abort.c"),
        Entry::C("null-glibc", Cc::Riscv64Glibc, "null.c"),
    ]),
    qemu_args: &[],
    expect: "examples/kernel-riscv/expect/libc-rv64.expect",
    outcome: Outcome::Success,
    timeout_secs: 180,
    input: None,
};

/// `bench` and `bench-partner` with a long quantum, so no tick switches
/// while the timer gap is measured.
const BENCH: Bench = Bench {
    cmdline: "quantum=1000 cpulimit=100000",
    kernel_features: &[],
    initrd: Initrd::Entries(&[Entry::Bin("bench"), Entry::Bin("bench-partner")]),
    qemu_args: &[],
    timeout_secs: 300,
};

/// Out of memory: `examples/c/oom.c` takes memory until malloc returns
/// NULL, between two programs that must still run.
const OOM_RV64: Boot = Boot {
    name: "oom",
    cmdline: "cpulimit=1000",
    kernel_features: &[],
    initrd: Initrd::Entries(&[
        Entry::C("hello-glibc", Cc::Riscv64Glibc, "hello.c"),
        Entry::C("oom-glibc", Cc::Riscv64Glibc, "oom.c"),
        Entry::C("hello-glibc-2", Cc::Riscv64Glibc, "hello.c"),
    ]),
    qemu_args: &[],
    expect: "examples/kernel-riscv/expect/oom-rv64.expect",
    outcome: Outcome::Success,
    timeout_secs: 180,
    input: None,
};

/// Load: 150 copies of `examples/c/alloc.c` (glibc, 3 MiB each) on 40
/// slots: 450 MiB in all, more than the machine's 256 MiB, of which the
/// initrd takes 75; 40 at a time (150 MiB at most) fit in the rest.
const LOAD_RV64: Boot = Boot {
    name: "load",
    cmdline: "",
    kernel_features: &[],
    initrd: Initrd::Repeated(&[Entry::C("alloc-glibc", Cc::Riscv64Glibc, "alloc.c")], 150),
    qemu_args: &["-m", "256M"],
    expect: "examples/kernel-riscv/expect/load-rv64.expect",
    outcome: Outcome::Success,
    timeout_secs: 300,
    input: None,
};

/// OSTEP chapter 6's homework and its partner, built by
/// `riscv64-linux-gnu-gcc -static`.
const HOMEWORK_PROGRAMS: Initrd = Initrd::Entries(&[
    Entry::C("homework", Cc::Riscv64Glibc, "homework.c"),
    Entry::C("homework-partner", Cc::Riscv64Glibc, "homework.c"),
]);

/// The homework measured, with the same long quantum as [`BENCH`].
const HOMEWORK_RV64: Bench = Bench {
    cmdline: "quantum=1000 cpulimit=100000",
    kernel_features: &[],
    initrd: HOMEWORK_PROGRAMS,
    qemu_args: &[],
    timeout_secs: 300,
};

/// The homework checked: it runs to the end and prints its figures.
const HOMEWORK_RV64_BOOT: Boot = Boot {
    name: "homework",
    cmdline: "quantum=1000 cpulimit=100000",
    kernel_features: &[],
    initrd: HOMEWORK_PROGRAMS,
    qemu_args: &[],
    expect: "examples/kernel-riscv/expect/homework.expect",
    outcome: Outcome::Success,
    timeout_secs: 180,
    input: None,
};

/// A RISC-V arch: the same kernel package, programs, exit device and
/// bench on every XLEN; only the target, firmware, QEMU, boots and the
/// homework (riscv64 only: no stock rv32 glibc) differ.
const fn riscv(
    name: &'static str,
    target: &'static str,
    firmware: Option<&'static str>,
    qemu: Qemu,
    boots: &'static [Boot],
    homework: Option<Bench>,
) -> Arch {
    Arch {
        name,
        kernel: Build {
            package: "kernel-riscv",
            bin: "kernel-riscv",
            target,
            features: &[],
        },
        firmware,
        programs: Programs {
            packages: &["user", "user-riscv"],
            target,
            bins: USER_BINS,
        },
        qemu,
        exit: Exit::SIFIVE_TEST,
        default_cmdline: "cpulimit=50",
        boots,
        bench: Some(BENCH),
        homework,
    }
}

/// QEMU virt rv64 under OpenSBI (`-bios default`), console on stdio (the
/// starter kernel boots the same machine).
pub const QEMU_RV64: Qemu = Qemu {
    binary: "qemu-system-riscv64",
    args: &[
        "-machine",
        "virt",
        "-m",
        "128M",
        "-nographic",
        "-monitor",
        "none",
        "-bios",
        "default",
    ],
    ..Qemu::LINUX_FLAGS
};

/// The RISC-V boots: `riscv64` and `riscv32`.
pub const ARCHES: &[Arch] = &[
    riscv(
        "riscv64",
        "riscv64gc-unknown-none-elf",
        None,
        QEMU_RV64,
        boots!(
            "rv64",
            "64",
            "32",
            LIBC_RV64,
            OOM_RV64,
            LOAD_RV64,
            HOMEWORK_RV64_BOOT,
            RESTART_CLEAN,
            kill_ipi_smp2!("examples/kernel-riscv"),
            CPU_NO_SHOW,
            KERNEL_STACK_OVERFLOW,
            SECONDARY_STACK_OVERFLOW,
            SUM,
            WX,
            RETURN_WINDOW,
            full_set_smp!("full-set-smp2", "2", "64", "32"),
            full_set_smp!("full-set-smp4", "4", "64", "32")
        ),
        Some(HOMEWORK_RV64),
    ),
    riscv(
        "riscv32",
        "riscv32imac-unknown-none-elf",
        Some("minisbi"),
        Qemu {
            binary: "qemu-system-riscv32",
            args: &[
                "-machine",
                "virt",
                "-m",
                "128M",
                "-nographic",
                "-monitor",
                "none",
            ],
            ..Qemu::LINUX_FLAGS
        },
        boots!(
            "rv32",
            "32",
            "64",
            RESTART_CLEAN,
            kill_ipi_smp2!("examples/kernel-riscv"),
            CPU_NO_SHOW,
            KERNEL_STACK_OVERFLOW,
            SECONDARY_STACK_OVERFLOW,
            SUM,
            WX,
            RETURN_WINDOW,
            full_set_smp!("full-set-smp2", "2", "32", "64")
        ),
        None,
    ),
];

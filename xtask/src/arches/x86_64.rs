//! The x86_64 example kernel's descriptor (see [`super`]): boots
//! `examples/kernel-x86_64` through PVH with `-kernel`, the programs of
//! `examples/user` and `examples/user-x86_64` in a cpio initrd, and exits
//! through `isa-debug-exit` (33 = success). `cargo xtask test` boots the full
//! set with both kernels (`preempt-kernel` makes system calls preemptible),
//! on 2 and 4 CPUs, on the `qemu64` CPU, without an initrd and with an empty one (exit status
//! 2, QEMU 5, as `kernel_common::driver::ExitCode` says), and two test builds that
//! must end in a register dump and exit 3 (a ring-0 page fault, a kernel
//! stack overflow reported from the double-fault IST stack, an overflow of
//! the NMI's IST stack into its guard page, a kernel read of
//! user memory outside `with_user_access` caught by SMAP); the SYSRET-hazard
//! program on the default kernel (the top user page is refused) and on a
//! build that lets it map that page (killed in ring 3); the UMIP programs
//! on a CPU with UMIP; see docs/arch-x86_64.md and docs/security.md.

use super::{
    Arch, Bench, Boot, Build, Cc, Entry, Exit, Initrd, Outcome, Programs, Qemu, USER_BINS,
};

/// Deterministic virtual time: the transcript is the same on every run.
const ICOUNT: &[&str] = &["-icount", "shift=0,sleep=off"];

/// The same on the older `qemu64` CPU (a later `-cpu` wins): no XSAVE (so
/// `fxsave`), no TSC-deadline (so the APIC timer one-shot), no SMEP.
const QEMU64: &[&str] = &["-icount", "shift=0,sleep=off", "-cpu", "qemu64"];

/// The full set: bundled programs, x86-only checks, 21 hostile kinds, a
/// second yielder, two register-leak checkers (each the other's partner),
/// and a malformed file last (so pids match the expectation).
const FULL_SET: Initrd = Initrd::Entries(&[
    Entry::Bin("hello"),
    Entry::Bin("exerciser"),
    Entry::Bin("yielder"),
    Entry::Bin("xstate"),
    Entry::Bin("cli"),
    Entry::Bin("hlt"),
    Entry::Bin("port-io"),
    Entry::Bin("lidt"),
    Entry::Bin("lgdt"),
    Entry::Bin("wrmsr"),
    Entry::Bin("mov-cr3"),
    Entry::Bin("read-kernel"),
    Entry::Bin("write-kernel"),
    Entry::Bin("jump-kernel"),
    Entry::Bin("noncanonical"),
    Entry::Bin("ud2"),
    Entry::Bin("divide-zero"),
    Entry::Bin("int3"),
    Entry::Bin("int-dpl0"),
    Entry::Bin("iret-ring0"),
    Entry::Bin("syscall-kernel-rsp"),
    Entry::Bin("jump-noncanonical"),
    Entry::Bin("trap-flag"),
    Entry::Bin("int80-kernel-rsp"),
    Entry::Bin("jump-stack"),
    Entry::Bin("spinner"),
    Entry::Bin("yielder"),
    Entry::Bin("regleak"),
    Entry::Bin("regleak"),
    Entry::Bytes("not-an-elf", b"this is not an ELF file\n"),
]);

/// Ring-3 programs that ask for the kernel's descriptor tables; UMIP
/// (CR4.UMIP, which `-cpu max,+umip` offers) must kill each one.
const UMIP: Initrd = Initrd::Entries(&[
    Entry::Bin("umip-sgdt"),
    Entry::Bin("umip-sidt"),
    Entry::Bin("umip-sldt"),
    Entry::Bin("umip-smsw"),
    Entry::Bin("umip-str"),
]);

/// Deterministic virtual time on a CPU with UMIP.
const UMIP_CPU: &[&str] = &["-icount", "shift=0,sleep=off", "-cpu", "max,+umip"];

/// Unmodified C programs of `examples/c`, built by the stock `gcc -static`
/// (glibc) and `musl-gcc -static` (musl): what they print and how they end
/// is what Linux shows.
const LIBC: Initrd = Initrd::Entries(&[
    Entry::C("hello-glibc", Cc::Glibc, "hello.c"),
    Entry::C("hello-musl", Cc::Musl, "hello.c"),
    Entry::C("libc-tour-glibc", Cc::Glibc, "libc-tour.c"),
    Entry::C("libc-tour-musl", Cc::Musl, "libc-tour.c"),
    Entry::C("abort-glibc", Cc::Glibc, "abort.c"),
    Entry::C("abort-musl", Cc::Musl, "abort.c"),
    Entry::C("null-glibc", Cc::Glibc, "null.c"),
    Entry::C("null-musl", Cc::Musl, "null.c"),
]);

/// QEMU's PC with every CPU feature, the serial console on stdout and the
/// `isa-debug-exit` device (the starter kernel boots the same machine).
pub const QEMU: Qemu = Qemu {
    binary: "qemu-system-x86_64",
    args: &[
        "-cpu",
        "max",
        "-m",
        "128M",
        "-display",
        "none",
        "-serial",
        "stdio",
        "-no-reboot",
        "-device",
        "isa-debug-exit,iobase=0xf4,iosize=0x04",
    ],
    ..Qemu::LINUX_FLAGS
};

/// OSTEP chapter 6's homework and its partner (`gcc -static`): measured by
/// `cargo xtask bench-qemu`, and checked to run to the end here.
const HOMEWORK: Initrd = Initrd::Entries(&[
    Entry::C("homework", Cc::Glibc, "homework.c"),
    Entry::C("homework-partner", Cc::Glibc, "homework.c"),
]);

/// The x86_64 boots: `x86_64`.
pub const ARCHES: &[Arch] = &[Arch {
    name: "x86_64",
    kernel: Build {
        package: "kernel-x86_64",
        bin: "kernel-x86_64",
        target: "x86_64-unknown-none",
        features: &[],
    },
    firmware: None,
    programs: Programs {
        packages: &["user", "user-x86_64"],
        target: "x86_64-unknown-none",
        bins: USER_BINS,
    },
    qemu: QEMU,
    exit: Exit::ISA_DEBUG_EXIT,
    default_cmdline: "cpulimit=50",
    boots: with_console_boots!(
        "examples/kernel-x86_64",
        [
            Boot {
                name: "full-set",
                cmdline: "cpulimit=20",
                kernel_features: &[],
                initrd: FULL_SET,
                qemu_args: ICOUNT,
                expect: "examples/kernel-x86_64/expect/full-set.expect",
                outcome: Outcome::Success,
                timeout_secs: 120,
                input: None,
            },
            Boot {
                name: "full-set-preempt-kernel",
                cmdline: "cpulimit=20",
                kernel_features: &["preempt-kernel"],
                initrd: FULL_SET,
                qemu_args: ICOUNT,
                expect: "examples/kernel-x86_64/expect/full-set.expect",
                outcome: Outcome::Success,
                timeout_secs: 120,
                input: None,
            },
            Boot {
                name: "full-set-smp2",
                cmdline: "cpulimit=20",
                kernel_features: &[],
                initrd: FULL_SET,
                qemu_args: &["-icount", "shift=0,sleep=off", "-smp", "2"],
                expect: "examples/kernel-x86_64/expect/full-set.expect",
                outcome: Outcome::Success,
                timeout_secs: 300,
                input: None,
            },
            Boot {
                name: "full-set-smp4",
                cmdline: "cpulimit=20",
                kernel_features: &[],
                initrd: FULL_SET,
                qemu_args: &["-icount", "shift=0,sleep=off", "-smp", "4"],
                expect: "examples/kernel-x86_64/expect/full-set.expect",
                outcome: Outcome::Success,
                timeout_secs: 300,
                input: None,
            },
            Boot {
                name: "full-set-qemu64",
                cmdline: "cpulimit=20",
                kernel_features: &[],
                initrd: FULL_SET,
                qemu_args: QEMU64,
                expect: "examples/kernel-x86_64/expect/full-set.expect",
                outcome: Outcome::Success,
                timeout_secs: 120,
                input: None,
            },
            Boot {
                name: "conformance",
                cmdline: "",
                kernel_features: &["conformance"],
                initrd: Initrd::Entries(&[Entry::Bin("conformance")]),
                qemu_args: &[],
                expect: "examples/kernel-x86_64/expect/conformance.expect",
                outcome: Outcome::Success,
                timeout_secs: 60,
                input: None,
            },
            Boot {
                name: "conformance-qemu64",
                cmdline: "",
                kernel_features: &["conformance"],
                initrd: Initrd::Entries(&[Entry::Bin("conformance")]),
                qemu_args: QEMU64,
                expect: "examples/kernel-x86_64/expect/conformance.expect",
                outcome: Outcome::Success,
                timeout_secs: 60,
                input: None,
            },
            Boot {
                name: "umip",
                cmdline: "",
                kernel_features: &[],
                initrd: UMIP,
                qemu_args: UMIP_CPU,
                expect: "examples/kernel-x86_64/expect/umip.expect",
                outcome: Outcome::Success,
                timeout_secs: 60,
                input: None,
            },
            Boot {
                name: "libc",
                cmdline: "cpulimit=200",
                kernel_features: &[],
                initrd: LIBC,
                qemu_args: ICOUNT,
                expect: "examples/kernel-x86_64/expect/libc.expect",
                outcome: Outcome::Success,
                timeout_secs: 180,
                input: None,
            },
            Boot {
                name: "oom",
                cmdline: "cpulimit=1000",
                kernel_features: &[],
                initrd: Initrd::Entries(&[
                    Entry::C("hello-musl", Cc::Musl, "hello.c"),
                    Entry::C("oom-glibc", Cc::Glibc, "oom.c"),
                    Entry::C("oom-musl", Cc::Musl, "oom.c"),
                    Entry::C("hello-glibc", Cc::Glibc, "hello.c"),
                ]),
                qemu_args: ICOUNT,
                expect: "examples/kernel-x86_64/expect/oom.expect",
                outcome: Outcome::Success,
                timeout_secs: 180,
                input: None,
            },
            Boot {
                name: "load",
                cmdline: "",
                kernel_features: &[],
                initrd: Initrd::Repeated(&[Entry::C("alloc-musl", Cc::Musl, "alloc.c")], 1000),
                // The initrd itself takes 43 MiB: 256 MiB leave room for 32
                // programs of 3 MiB at a time, and 3 GB in all is still more
                // than the machine has.
                qemu_args: &["-m", "256M"],
                expect: "examples/kernel-x86_64/expect/load.expect",
                outcome: Outcome::Success,
                timeout_secs: 300,
                input: None,
            },
            Boot {
                name: "homework",
                cmdline: "quantum=1000 cpulimit=100000",
                kernel_features: &[],
                initrd: HOMEWORK,
                qemu_args: ICOUNT,
                expect: "examples/kernel-x86_64/expect/homework.expect",
                outcome: Outcome::Success,
                timeout_secs: 180,
                input: None,
            },
            Boot {
                name: "no-initrd",
                cmdline: "",
                kernel_features: &[],
                initrd: Initrd::Absent,
                qemu_args: &[],
                expect: "examples/kernel-x86_64/expect/no-initrd.expect",
                outcome: Outcome::ExitCode(5),
                timeout_secs: 60,
                input: None,
            },
            Boot {
                name: "empty-initrd",
                cmdline: "",
                kernel_features: &[],
                initrd: Initrd::Entries(&[]),
                qemu_args: &[],
                expect: "examples/kernel-x86_64/expect/empty-initrd.expect",
                outcome: Outcome::ExitCode(5),
                timeout_secs: 60,
                input: None,
            },
            Boot {
                name: "kernel-fault",
                cmdline: "",
                kernel_features: &["kernel-fault-test"],
                initrd: Initrd::Entries(&[Entry::Bin("hello")]),
                qemu_args: &[],
                expect: "examples/kernel-x86_64/expect/kernel-fault.expect",
                outcome: Outcome::ExitCode(3),
                timeout_secs: 60,
                input: None,
            },
            Boot {
                name: "kernel-stack-overflow",
                cmdline: "",
                kernel_features: &["kernel-stack-overflow-test"],
                initrd: Initrd::Entries(&[Entry::Bin("hello")]),
                qemu_args: &[],
                expect: "examples/kernel-x86_64/expect/kernel-stack-overflow.expect",
                outcome: Outcome::ExitCode(3),
                timeout_secs: 60,
                input: None,
            },
            Boot {
                name: "ist-overflow",
                cmdline: "",
                kernel_features: &["ist-overflow-test"],
                initrd: Initrd::Entries(&[Entry::Bin("hello")]),
                qemu_args: &[],
                expect: "examples/kernel-x86_64/expect/ist-overflow.expect",
                outcome: Outcome::ExitCode(3),
                timeout_secs: 60,
                input: None,
            },
            Boot {
                name: "sysret-top-refused",
                cmdline: "",
                kernel_features: &[],
                initrd: Initrd::Entries(&[Entry::Bin("sysret-top")]),
                qemu_args: ICOUNT,
                expect: "examples/kernel-x86_64/expect/sysret-top-refused.expect",
                outcome: Outcome::Success,
                timeout_secs: 60,
                input: None,
            },
            Boot {
                name: "sysret-hazard",
                cmdline: "",
                kernel_features: &["sysret-hazard-test"],
                initrd: Initrd::Entries(&[Entry::Bin("sysret-top"), Entry::Bin("hello")]),
                qemu_args: ICOUNT,
                expect: "examples/kernel-x86_64/expect/sysret-hazard.expect",
                outcome: Outcome::Success,
                timeout_secs: 60,
                input: None,
            },
            kill_ipi_smp2!("examples/kernel-x86_64"),
            Boot {
                name: "secondary-stack-overflow-smp2",
                cmdline: "",
                kernel_features: &["secondary-stack-overflow-test"],
                // The boot CPU spins while the AP overflows.
                initrd: Initrd::Entries(&[Entry::Bin("spinner")]),
                qemu_args: &["-smp", "2"],
                expect: "examples/kernel-x86_64/expect/secondary-stack-overflow.expect",
                outcome: Outcome::ExitCode(3),
                timeout_secs: 60,
                input: None,
            },
            Boot {
                name: "cpu-no-show-smp2",
                cmdline: "",
                kernel_features: &["cpu-no-show-test"],
                initrd: Initrd::Entries(&[Entry::Bin("hello")]),
                // The AP never arrives: the boot CPU gives up after 1 s.
                qemu_args: &["-smp", "2"],
                expect: "examples/kernel-x86_64/expect/cpu-no-show.expect",
                outcome: Outcome::Success,
                timeout_secs: 60,
                input: None,
            },
            Boot {
                name: "smap",
                cmdline: "",
                kernel_features: &["smap-test"],
                initrd: Initrd::Entries(&[Entry::Bin("hello")]),
                qemu_args: &[],
                expect: "examples/kernel-x86_64/expect/smap.expect",
                outcome: Outcome::ExitCode(3),
                timeout_secs: 60,
                input: None,
            },
            Boot {
                name: "restart-clean",
                cmdline: "restart=2",
                kernel_features: &[],
                initrd: Initrd::Entries(&[Entry::Bin("restart-clean")]),
                qemu_args: &[],
                expect: "examples/kernel-x86_64/expect/restart-clean.expect",
                outcome: Outcome::Success,
                timeout_secs: 60,
                input: None,
            },
            Boot {
                name: "wx",
                cmdline: "",
                kernel_features: &["wx-test"],
                initrd: Initrd::Entries(&[Entry::Bin("hello")]),
                qemu_args: &[],
                expect: "examples/kernel-x86_64/expect/wx.expect",
                outcome: Outcome::ExitCode(3),
                timeout_secs: 60,
                input: None,
            },
        ]
    ),
    homework: Some(Bench {
        cmdline: "quantum=1000 cpulimit=100000",
        kernel_features: &[],
        initrd: HOMEWORK,
        qemu_args: &[],
        timeout_secs: 300,
    }),
    // A long quantum, as on RISC-V, so no tick switches to the partner
    // while the timer gap is measured.
    bench: Some(Bench {
        cmdline: "quantum=1000 cpulimit=100000",
        kernel_features: &[],
        initrd: Initrd::Entries(&[Entry::Bin("bench"), Entry::Bin("bench-partner")]),
        qemu_args: &[],
        timeout_secs: 300,
    }),
}];

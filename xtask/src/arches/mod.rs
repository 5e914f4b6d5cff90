//! The per-arch descriptors: everything xtask needs to build an example
//! kernel, pack user programs into an initrd, boot it in QEMU and judge the
//! run. The QEMU runner, `cargo xtask test`, `qemu` and `bench-qemu` are
//! generic over these; an arch adds itself by filling [`x86_64::ARCHES`] or
//! [`riscv::ARCHES`] or [`aarch64::ARCHES`] (the starter kernels fill
//! [`minimal::ARCHES`]), and
//! touches nothing else in xtask.
//!
//! The QEMU command line is `BINARY ARGS [-bios FIRMWARE] -kernel KERNEL
//! [-initrd INITRD] -append CMDLINE BOOT-ARGS [-icount ...]`.
//!
//! ```
//! use xtask::arches::{Arch, Bench, Boot, Build, Entry, Exit, Initrd, Outcome, Programs, Qemu};
//!
//! // In xtask/src/arches/riscv.rs:
//! pub const ARCHES: &[Arch] = &[Arch {
//!     name: "riscv32",
//!     kernel: Build {
//!         package: "kernel-riscv",
//!         bin: "kernel-riscv",
//!         target: "riscv32imac-unknown-none-elf",
//!         features: &[],
//!     },
//!     firmware: Some("minisbi"),
//!     programs: Programs {
//!         packages: &["user", "user-riscv"],
//!         target: "riscv32imac-unknown-none-elf",
//!         bins: &["hello", "exerciser", "yielder", "spinner"],
//!     },
//!     qemu: Qemu {
//!         binary: "qemu-system-riscv32",
//!         args: &["-machine", "virt", "-m", "128M", "-nographic", "-monitor", "none"],
//!         ..Qemu::LINUX_FLAGS
//!     },
//!     exit: Exit::SIFIVE_TEST,
//!     default_cmdline: "cpulimit=30",
//!     boots: &[
//!         Boot {
//!             name: "full-set",
//!             cmdline: "cpulimit=30",
//!             kernel_features: &[],
//!             initrd: Initrd::Entries(&[
//!                 Entry::Bin("hello"),
//!                 Entry::Named("fault-repeat-1", "fault-repeat"),
//!                 Entry::Named("fault-repeat-2", "fault-repeat"),
//!                 Entry::File("bad-machine", "examples/kernel-riscv/testdata/bad-machine.elf"),
//!                 Entry::Bytes("not-an-elf", b"this is not an ELF file\n"),
//!             ]),
//!             qemu_args: &[],
//!             expect: "examples/kernel-riscv/expect/full-set.expect",
//!             outcome: Outcome::Success,
//!             timeout_secs: 180,
//!             input: None,
//!         },
//!         Boot {
//!             name: "no-initrd",
//!             cmdline: "",
//!             kernel_features: &[],
//!             initrd: Initrd::Absent,
//!             qemu_args: &[],
//!             expect: "examples/kernel-riscv/expect/no-initrd.expect",
//!             outcome: Outcome::Failure,
//!             timeout_secs: 60,
//!             input: None,
//!         },
//!     ],
//!     homework: None,
//!     bench: Some(Bench {
//!         cmdline: "",
//!         kernel_features: &[],
//!         initrd: Initrd::Entries(&[Entry::Bin("bench"), Entry::Bin("bench-partner")]),
//!         qemu_args: &[],
//!         timeout_secs: 300,
//!     }),
//! }];
//! ```

/// `echo` beside two spinners: the console-input boots' initrd.
pub const ECHO_AND_SPINNERS: Initrd = Initrd::Entries(&[
    Entry::Bin("echo"),
    Entry::Named("spinner-1", "spinner"),
    Entry::Named("spinner-2", "spinner"),
]);

/// The `kernel-preempt` boots' mix: four processes that spend their time in
/// system calls (where ticks land in the kernel), and four that yield.
pub const EXERCISERS_AND_YIELDERS: Initrd = Initrd::Entries(&[
    Entry::Named("exerciser-1", "exerciser"),
    Entry::Named("yielder-1", "yielder"),
    Entry::Named("exerciser-2", "exerciser"),
    Entry::Named("yielder-2", "yielder"),
    Entry::Named("exerciser-3", "exerciser"),
    Entry::Named("yielder-3", "yielder"),
    Entry::Named("exerciser-4", "exerciser"),
    Entry::Named("yielder-4", "yielder"),
]);

/// Two lines typed once the second spinner is killed (so `echo` is alone).
pub const TYPED_AFTER_KILL: Option<Typed> = Some(Typed {
    after: "[pid 3 spinner-2] killed",
    text: "hello\nworld\n",
    times: 1,
});

/// `&[$boot, ..., COMMON...]`: the boots listed, then the console-input boots
/// every kernel with a line-discipline console runs (`echo` reading what
/// xtask types while spinners keep the CPUs busy; with `-smp 2`; traced;
/// and under an interrupt storm), checked against `$dir/expect/`.
macro_rules! with_console_boots {
    ($dir:literal, [$($boot:expr),* $(,)?]) => {
        &[
            $($boot,)*
            $crate::arches::Boot {
                name: "console-input",
                cmdline: "cpulimit=30",
                kernel_features: &[],
                initrd: $crate::arches::ECHO_AND_SPINNERS,
                qemu_args: &[],
                expect: concat!($dir, "/expect/console-input.expect"),
                outcome: $crate::arches::Outcome::Success,
                timeout_secs: 120,
                input: $crate::arches::TYPED_AFTER_KILL,
            },
            $crate::arches::Boot {
                name: "console-input-smp2",
                cmdline: "cpulimit=30",
                kernel_features: &[],
                initrd: $crate::arches::ECHO_AND_SPINNERS,
                qemu_args: &["-smp", "2"],
                expect: concat!($dir, "/expect/console-input.expect"),
                outcome: $crate::arches::Outcome::Success,
                timeout_secs: 120,
                input: $crate::arches::TYPED_AFTER_KILL,
            },
            $crate::arches::Boot {
                name: "console-input-trace",
                cmdline: "trace quantum=10 cpulimit=30",
                kernel_features: &[],
                initrd: $crate::arches::Initrd::Entries(&[
                    $crate::arches::Entry::Bin("echo"),
                    $crate::arches::Entry::Bin("spinner"),
                ]),
                qemu_args: &[],
                expect: concat!($dir, "/expect/console-input-trace.expect"),
                outcome: $crate::arches::Outcome::Success,
                timeout_secs: 120,
                input: Some($crate::arches::Typed {
                    after: "spinner: spinning",
                    text: "hi\n",
                    times: 1,
                }),
            },
            $crate::arches::Boot {
                name: "irq-storm",
                cmdline: "cpulimit=30",
                kernel_features: &["irq-storm-test"],
                initrd: $crate::arches::ECHO_AND_SPINNERS,
                qemu_args: &[],
                expect: concat!($dir, "/expect/irq-storm.expect"),
                outcome: $crate::arches::Outcome::Success,
                timeout_secs: 120,
                input: Some($crate::arches::Typed {
                    after: "spinner: spinning",
                    text: "hello\nworld\n",
                    times: 1,
                }),
            },
        ]
    };
}

/// The `kill-ipi-smp2` boot of the kernel in `$dir`: `kill(2)` of a
/// spinner running on the other of two CPUs, with every CPU's tick 5 s
/// apart (`tick=5000`): only the kernel's IPI ends it within `killer`'s
/// 1 s. Checked against `$dir/expect/kill-ipi.expect`. Not under
/// `-icount`: its round robin of CPUs starves the spinner's CPU, and
/// RISC-V's secondary hart does not come up under it.
macro_rules! kill_ipi_smp2 {
    ($dir:literal) => {
        $crate::arches::Boot {
            name: "kill-ipi-smp2",
            cmdline: "tick=5000",
            kernel_features: &[],
            initrd: $crate::arches::Initrd::Entries(&[
                $crate::arches::Entry::Named("victim", "spinner"),
                $crate::arches::Entry::Bin("killer"),
            ]),
            qemu_args: &["-smp", "2"],
            expect: concat!($dir, "/expect/kill-ipi.expect"),
            outcome: $crate::arches::Outcome::Success,
            timeout_secs: 120,
            input: None,
        }
    };
}

pub mod aarch64;
pub mod minimal;
pub mod riscv;
pub mod x86_64;

/// One bootable architecture.
#[derive(Debug)]
pub struct Arch {
    /// The name on the command line: `cargo xtask qemu <name>`.
    pub name: &'static str,
    /// The kernel, a binary of a package of the examples workspace.
    pub kernel: Build,
    /// Another binary of the kernel's package (same build) passed to QEMU as
    /// `-bios`, e.g. a minimal SBI; `None` when [`Qemu::args`] name the
    /// firmware (`-bios default`) or none is needed.
    pub firmware: Option<&'static str>,
    /// The bundled user programs.
    pub programs: Programs,
    /// How to start QEMU.
    pub qemu: Qemu,
    /// How QEMU's exit status reports the kernel's verdict.
    pub exit: Exit,
    /// The kernel command line of `cargo xtask qemu` without `--cmdline`.
    pub default_cmdline: &'static str,
    /// The boots `cargo xtask test` runs and checks.
    pub boots: &'static [Boot],
    /// The boot `cargo xtask bench-qemu` measures, if the arch has one.
    pub bench: Option<Bench>,
    /// OSTEP chapter 6's homework (`examples/c/homework.c`, as `homework`
    /// and `homework-partner`), measured by `cargo xtask bench-qemu` too,
    /// where a stock C toolchain builds for the arch.
    pub homework: Option<Bench>,
}

/// A binary of the examples workspace built for one target.
#[derive(Debug)]
pub struct Build {
    /// The cargo package (`-p`).
    pub package: &'static str,
    /// The binary's name within the package.
    pub bin: &'static str,
    /// The target triple (`--target`).
    pub target: &'static str,
    /// Cargo features always enabled for this build.
    pub features: &'static [&'static str],
}

/// The default initrd of every arch: the bundled programs of `examples/user`,
/// in the order the kernel runs them.
pub const USER_BINS: &[&str] = &["hello", "exerciser", "yielder", "spinner"];

/// The user programs of the examples workspace.
#[derive(Debug)]
pub struct Programs {
    /// The packages whose binaries are the programs.
    pub packages: &'static [&'static str],
    /// The target triple the programs are built for.
    pub target: &'static str,
    /// The default initrd ([`Initrd::Bundled`]): binary names in order,
    /// which is the order the kernel runs them in.
    pub bins: &'static [&'static str],
}

/// What a boot gets as its initrd.
#[derive(Debug, Clone, Copy)]
pub enum Initrd {
    /// [`Programs::bins`], in order.
    Bundled,
    /// These entries, in order (names may repeat; an empty list is an
    /// empty archive).
    Entries(&'static [Entry]),
    /// These entries, in order, that many times over (a load test: more
    /// programs than the kernel has slots).
    Repeated(&'static [Entry], usize),
    /// No `-initrd` at all.
    Absent,
}

/// One file of an initrd.
#[derive(Debug, Clone, Copy)]
pub enum Entry {
    /// A binary of [`Programs::packages`], under its own name.
    Bin(&'static str),
    /// A binary of [`Programs::packages`] (second) under another name
    /// (first), e.g. `fault-repeat-2`.
    Named(&'static str, &'static str),
    /// Literal contents under a name (e.g. a malformed ELF).
    Bytes(&'static str, &'static [u8]),
    /// A file of the repository (path relative to its root) under a name.
    File(&'static str, &'static str),
    /// A C program of `examples/c` (third: its source file there) built
    /// with a stock C toolchain (second), under a name (first).
    C(&'static str, Cc, &'static str),
}

/// A stock C toolchain that builds static Linux programs: the example
/// kernels run what it makes unmodified (see docs/abi.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cc {
    /// `gcc -static`: x86_64 glibc.
    Glibc,
    /// `musl-gcc -static`: x86_64 musl (Debian `musl-tools`).
    Musl,
    /// `riscv64-linux-gnu-gcc -static`: riscv64 glibc.
    Riscv64Glibc,
    /// `aarch64-linux-gnu-gcc -static`: aarch64 glibc.
    Aarch64Glibc,
}

impl Cc {
    /// The compiler driver.
    pub fn compiler(self) -> &'static str {
        match self {
            Cc::Glibc => "gcc",
            Cc::Musl => "musl-gcc",
            Cc::Riscv64Glibc => "riscv64-linux-gnu-gcc",
            Cc::Aarch64Glibc => "aarch64-linux-gnu-gcc",
        }
    }

    /// The Debian package that installs it.
    pub fn package(self) -> &'static str {
        match self {
            Cc::Glibc => "gcc",
            Cc::Musl => "musl-tools",
            Cc::Riscv64Glibc => "gcc-riscv64-linux-gnu libc6-dev-riscv64-cross",
            Cc::Aarch64Glibc => "gcc-aarch64-linux-gnu libc6-dev-arm64-cross",
        }
    }
}

/// The QEMU command line.
#[derive(Debug)]
pub struct Qemu {
    /// The `qemu-system-*` executable.
    pub binary: &'static str,
    /// Machine, CPU, firmware, memory, console and exit-device arguments.
    pub args: &'static [&'static str],
    /// The flag that passes the kernel ELF.
    pub kernel_flag: &'static str,
    /// The flag that passes the cpio initrd.
    pub initrd_flag: &'static str,
    /// The flag that passes the kernel command line.
    pub cmdline_flag: &'static str,
    /// The flag that passes [`Arch::firmware`].
    pub firmware_flag: &'static str,
    /// What file the kernel flag gets.
    pub kernel_format: KernelFormat,
}

/// The file QEMU boots as the kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KernelFormat {
    /// The ELF cargo built.
    Elf,
    /// Its loadable bytes (`llvm-objcopy -O binary`): a Linux arm64 Image,
    /// whose header QEMU reads only from a raw file (an ELF it loads as
    /// bare metal, without the device tree in x0).
    Raw,
}

impl Qemu {
    /// `-kernel`, `-initrd`, `-append`, `-bios`: what both example kernels
    /// use (PVH on x86_64, OpenSBI + device tree on RISC-V). Use with `..`.
    pub const LINUX_FLAGS: Qemu = Qemu {
        binary: "",
        args: &[],
        kernel_flag: "-kernel",
        initrd_flag: "-initrd",
        cmdline_flag: "-append",
        firmware_flag: "-bios",
        kernel_format: KernelFormat::Elf,
    };
}

/// What QEMU's exit code means.
#[derive(Debug, Clone, Copy)]
pub struct Exit {
    /// The code of a clean run.
    pub success: i32,
    /// How the device encodes the kernel's failure code, for messages.
    pub device: &'static str,
}

impl Exit {
    /// `isa-debug-exit` (x86_64): QEMU exits with `(value << 1) | 1`, so the
    /// kernel writes 16 for success (33) and anything else for failure.
    pub const ISA_DEBUG_EXIT: Exit = Exit {
        success: 33,
        device: "isa-debug-exit: QEMU exits with (value << 1) | 1",
    };
    /// The SiFive test device (RISC-V virt): 0x5555 exits with 0,
    /// `(code << 16) | 0x3333` exits with `code`.
    pub const SIFIVE_TEST: Exit = Exit {
        success: 0,
        device: "sifive_test: 0x5555 exits 0, (code << 16) | 0x3333 exits code",
    };
}

/// The verdict a boot must end with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// QEMU exits with [`Exit::success`].
    Success,
    /// QEMU exits with any other code (not by timeout).
    Failure,
    /// QEMU exits with exactly this code (e.g. 3 for "no initrd").
    ExitCode(i32),
}

/// One checked boot of `cargo xtask test`.
#[derive(Debug)]
pub struct Boot {
    /// A short name for messages and the log file.
    pub name: &'static str,
    /// The kernel command line.
    pub cmdline: &'static str,
    /// Extra kernel features for this boot (e.g. a deliberate fault).
    pub kernel_features: &'static [&'static str],
    /// The initrd.
    pub initrd: Initrd,
    /// Extra QEMU arguments for this boot (e.g. `-cpu rv64,sstc=off`; a
    /// later `-cpu` overrides one in [`Qemu::args`]).
    pub qemu_args: &'static [&'static str],
    /// The expectation file (see `transcript.rs`), relative to the repo root.
    pub expect: &'static str,
    /// The verdict QEMU's exit code must give.
    pub outcome: Outcome,
    /// QEMU is killed, and the boot fails, after this many seconds.
    pub timeout_secs: u64,
    /// What to type on the guest's console, and when (see
    /// [`crate::qemu::Run::input`]); `None`: nothing, and no end of file.
    pub input: Option<Typed>,
}

/// Console input a boot types.
#[derive(Clone, Copy, Debug)]
pub struct Typed {
    /// Typed once the console has shown this text.
    pub after: &'static str,
    /// The bytes, typed [`Typed::times`] times over, then an end of file
    /// (`^D`).
    pub text: &'static str,
    /// How many times `text` is typed: 1, or many for a flood.
    pub times: usize,
}

/// The boot of `cargo xtask bench-qemu`, run with `-icount shift=0,sleep=off`.
/// The kernel prints one `bench: NAME INSTRUCTIONS` line per measurement
/// (`bench: NAME: N instructions` is read too).
#[derive(Debug)]
pub struct Bench {
    /// The kernel command line.
    pub cmdline: &'static str,
    /// Extra kernel features for the bench build.
    pub kernel_features: &'static [&'static str],
    /// The initrd.
    pub initrd: Initrd,
    /// Extra QEMU arguments.
    pub qemu_args: &'static [&'static str],
    /// QEMU is killed, and the bench fails, after this many seconds.
    pub timeout_secs: u64,
}

/// Every registered arch: x86_64, RISC-V, AArch64, then the starter
/// kernels.
pub fn all() -> impl Iterator<Item = &'static Arch> {
    x86_64::ARCHES
        .iter()
        .chain(riscv::ARCHES)
        .chain(aarch64::ARCHES)
        .chain(minimal::ARCHES)
}

/// An arch for the runner's tests: QEMU is `binary` with `args`; no
/// programs, boots or bench, the isa-debug-exit convention.
#[cfg(test)]
pub(crate) const fn fake(
    name: &'static str,
    binary: &'static str,
    args: &'static [&'static str],
) -> Arch {
    Arch {
        name,
        kernel: Build {
            package: "k",
            bin: "k",
            target: "t",
            features: &[],
        },
        firmware: None,
        programs: Programs {
            packages: &[],
            target: "t",
            bins: &[],
        },
        qemu: Qemu {
            binary,
            args,
            ..Qemu::LINUX_FLAGS
        },
        exit: Exit::ISA_DEBUG_EXIT,
        default_cmdline: "",
        boots: &[],
        bench: None,
        homework: None,
    }
}

/// The arch called `name`, or an error listing the known ones.
pub fn find(name: &str) -> crate::cmd::Result<&'static Arch> {
    all().find(|a| a.name == name).ok_or_else(|| {
        let known: Vec<_> = all().map(|a| a.name).collect();
        let known = if known.is_empty() {
            "none yet: no example kernel has registered in xtask/src/arches/".to_owned()
        } else {
            known.join(", ")
        };
        crate::cmd::Error::new(format!("unknown arch `{name}` (known: {known})"))
    })
}

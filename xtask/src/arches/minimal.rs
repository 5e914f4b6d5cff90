//! The starter kernels' descriptors (see [`super`]): `examples/minimal-riscv`
//! under OpenSBI on QEMU virt (rv64) and `examples/minimal-x86_64` through
//! PVH, on the same machines as the full example kernels. Each carries its
//! two processes in its own image, so there are no user programs to build
//! and no initrd: one boot each, checked against
//! `examples/minimal-*/expect/boot.expect`. A test holds each to
//! [`LINE_LIMIT`].

use super::{Arch, Boot, Build, Exit, Initrd, Outcome, Programs, Qemu};

/// At most this many lines of its own code (Rust, asm and linker script,
/// blank and comment lines aside) per starter kernel.
pub const LINE_LIMIT: usize = 250;

/// The one boot of a starter kernel: no initrd, ending in success, its
/// transcript checked against `expect`.
const fn boot(expect: &'static str) -> Boot {
    Boot {
        name: "boot",
        cmdline: "",
        kernel_features: &[],
        initrd: Initrd::Absent,
        qemu_args: &[],
        expect,
        outcome: Outcome::Success,
        timeout_secs: 60,
        input: None,
    }
}

/// The starter kernel `package` (its binary too) for `target`.
const fn starter(
    name: &'static str,
    package: &'static str,
    target: &'static str,
    qemu: Qemu,
    exit: Exit,
    boots: &'static [Boot],
) -> Arch {
    Arch {
        name,
        kernel: Build {
            package,
            bin: package,
            target,
            features: &[],
        },
        firmware: None,
        programs: Programs {
            packages: &[],
            target,
            bins: &[],
        },
        qemu,
        exit,
        default_cmdline: "",
        boots,
        bench: None,
        homework: None,
    }
}

/// The starter kernels: `minimal-riscv64` and `minimal-x86_64`.
pub const ARCHES: &[Arch] = &[
    starter(
        "minimal-riscv64",
        "minimal-riscv",
        "riscv64gc-unknown-none-elf",
        super::riscv::QEMU_RV64,
        Exit::SIFIVE_TEST,
        &[boot("examples/minimal-riscv/expect/boot.expect")],
    ),
    starter(
        "minimal-x86_64",
        "minimal-x86_64",
        "x86_64-unknown-none",
        super::x86_64::QEMU,
        Exit::ISA_DEBUG_EXIT,
        &[boot("examples/minimal-x86_64/expect/boot.expect")],
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// Lines of code in Rust, asm or linker-script `text`: blank lines,
    /// `//` comments, `/* */` comment blocks and asm `#` comments (but not
    /// Rust's `#[`/`#!` attributes) do not count.
    fn code_lines(text: &str) -> usize {
        let mut in_block = false;
        text.lines()
            .filter(|line| {
                let t = line.trim();
                if in_block || t.starts_with("/*") {
                    in_block = !t.contains("*/");
                    return false;
                }
                let asm_comment =
                    t.starts_with('#') && !t.starts_with("#[") && !t.starts_with("#!");
                !(t.is_empty() || t.starts_with("//") || asm_comment)
            })
            .count()
    }

    /// The `.rs` and `.ld` files under `dir`, recursively.
    fn sources(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("readable starter kernel directory") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                sources(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs" || e == "ld") {
                found.push(path);
            }
        }
    }

    #[test]
    fn code_lines_skip_blank_lines_and_comments_but_count_attributes() {
        let text = "//! doc\n\n#![no_std]\n/* a\n   b */\nfn f() {}\n    # asm comment\n    movl $1, %eax # why\n";
        assert_eq!(code_lines(text), 3);
    }

    #[test]
    fn each_starter_kernel_is_at_most_250_lines_of_its_own_code() {
        for arch in ARCHES {
            let dir = crate::examples::dir().join(arch.kernel.package);
            let mut files = Vec::new();
            sources(&dir, &mut files);
            assert!(!files.is_empty(), "no sources under {}", dir.display());
            let lines: usize = files
                .iter()
                .map(|f| code_lines(&std::fs::read_to_string(f).expect("a UTF-8 source")))
                .sum();
            println!(
                "{}: {lines} lines of code in {files:?}",
                arch.kernel.package
            );
            assert!(
                lines <= LINE_LIMIT,
                "{} has {lines} lines of its own code, over the starter limit of {LINE_LIMIT}",
                arch.kernel.package
            );
        }
    }
}

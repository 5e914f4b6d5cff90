//! The seed corpus and every input that once crashed a target, replayed
//! through the targets on stable Rust, without AFL++: what `cargo test`
//! (and so `cargo xtask test`) proves on every run.

use std::path::Path;

use kernel_common::elf::{Elf, Target};
use ldex_fuzz::{TARGETS, files_in};

fn dir(parts: &[&str]) -> std::path::PathBuf {
    parts.iter().fold(
        Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf(),
        |p, s| p.join(s),
    )
}

#[test]
fn every_seed_and_past_crash_runs_through_its_target_without_a_panic() {
    for target in TARGETS {
        let seeds = files_in(&dir(&["corpus", target.name])).unwrap();
        assert!(!seeds.is_empty(), "{} has no seed", target.name);
        let crashes = files_in(&dir(&["regressions", target.name])).unwrap();
        for file in seeds.iter().chain(&crashes) {
            (target.run)(&std::fs::read(file).unwrap());
        }
    }
}

#[test]
fn every_target_has_a_seed_corpus_and_nothing_else_does() {
    for entry in std::fs::read_dir(dir(&["corpus"])).unwrap() {
        let name = entry.unwrap().file_name();
        let name = name.to_str().unwrap();
        assert!(
            ldex_fuzz::find(name).is_some(),
            "corpus/{name} names no target"
        );
    }
}

#[test]
fn the_elf_seeds_are_accepted_so_fuzzing_starts_past_the_checks() {
    for (file, target) in [
        ("x86_64.elf", Target::X86_64),
        ("riscv64.elf", Target::RISCV64),
        ("riscv32.elf", Target::RISCV32),
    ] {
        let data = std::fs::read(dir(&["corpus", "elf", file])).unwrap();
        let limits = kernel_common::elf::Limits {
            user: 0x1000..0x0000_8000_0000_0000,
            forbidden: &[],
        };
        if let Err(e) = Elf::parse(&data, target, &limits) {
            panic!("{file}: {e}");
        }
    }
}

#[test]
fn the_text_seeds_are_accepted_so_fuzzing_starts_past_the_checks() {
    for file in files_in(&dir(&["corpus", "scenario"])).unwrap() {
        let text = std::fs::read_to_string(&file).unwrap();
        ldex_sim::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    }
    for file in files_in(&dir(&["corpus", "ostep"])).unwrap() {
        let text = std::fs::read_to_string(&file).unwrap();
        let cases =
            ldex_sim::ostep::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert_eq!(cases.len(), 1);
    }
}

#[test]
fn the_firmware_seeds_are_accepted_so_fuzzing_starts_past_the_checks() {
    for file in files_in(&dir(&["corpus", "acpi"])).unwrap() {
        let mem = std::fs::read(&file).unwrap();
        let madt = kernel_common::acpi::Madt::find(&mem[..], 0)
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert!(madt.route_isa_irq(4).is_ok());
    }
    for file in files_in(&dir(&["corpus", "pvh"])).unwrap() {
        let map = std::fs::read(&file).unwrap();
        assert!(kernel_common::pvh::ram(&map, 4 << 20, 1 << 32).is_some());
    }
}

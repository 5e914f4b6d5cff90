//! # ldex-fuzz: every parser of outside input, under a fuzzer
//!
//! An ldex kernel reads bytes that someone else wrote: the initrd (a cpio
//! archive of ELF files), the device tree and the command line the firmware
//! hands over, and on x86_64 the ACPI tables and the PVH memory map. The
//! simulator reads scenario files and OSTEP JSON cases. Each
//! [`Target`] here feeds one of those parsers arbitrary bytes and checks
//! that it neither panics nor hands back something it should have refused.
//! A target's function is the whole harness: the same call runs under
//! AFL++ (`cargo xtask fuzz`, through cargo-afl's persistent loop in
//! `main.rs`) and on the seed corpus and past crashes in plain `cargo test`
//! (`tests/`).
//!
//! | target     | parser                                                      |
//! |------------|-------------------------------------------------------------|
//! | `elf`      | `kernel_common::elf::Elf::parse` and `load`, for every arch |
//! | `cpio`     | `kernel_common::cpio::files`                                |
//! | `initrd`   | `kernel_common::initrd::Queue`: cpio, ELF and initial stack  |
//! | `dtb`      | `kernel_common::devicetree::read`                           |
//! | `cmdline`  | `kernel_common::cmdline::CmdLine`                           |
//! | `acpi`     | `kernel_common::acpi::Madt::find`, its routes and processors |
//! | `pvh`      | `kernel_common::pvh::ram` (the PVH memory map)              |
//! | `scenario` | `ldex_sim::parse`                                           |
//! | `ostep`    | `ldex_sim::ostep::parse`                                    |

mod acpi;
mod cmdline;
mod cpio;
mod dtb;
mod elf;
mod initrd;
mod ostep;
mod pvh;
mod scenario;

use std::path::Path;

/// One fuzz target: a parser and the checks on what it returns.
#[derive(Clone, Copy, Debug)]
pub struct Target {
    /// Its name on the command line and its corpus directory.
    pub name: &'static str,
    /// Feed the parser `data`; panics if the parser panics or breaks a
    /// promise.
    pub run: fn(&[u8]),
}

/// Every target (`cargo xtask fuzz` runs them in name order).
pub const TARGETS: &[Target] = &[
    Target {
        name: "elf",
        run: elf::run,
    },
    Target {
        name: "cpio",
        run: cpio::run,
    },
    Target {
        name: "initrd",
        run: initrd::run,
    },
    Target {
        name: "dtb",
        run: dtb::run,
    },
    Target {
        name: "cmdline",
        run: cmdline::run,
    },
    Target {
        name: "acpi",
        run: acpi::run,
    },
    Target {
        name: "pvh",
        run: pvh::run,
    },
    Target {
        name: "scenario",
        run: scenario::run,
    },
    Target {
        name: "ostep",
        run: ostep::run,
    },
];

/// The target called `name`.
pub fn find(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.name == name)
}

/// The files of `dir` (not recursive), sorted, so replays are in a fixed
/// order; none if it does not exist.
pub fn files_in(dir: &Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    let mut files = Vec::new();
    match std::fs::read_dir(dir) {
        Ok(entries) => {
            for entry in entries {
                let path = entry?.path();
                if path.is_file() {
                    files.push(path);
                }
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    files.sort();
    Ok(files)
}

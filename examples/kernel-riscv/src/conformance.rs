//! The `conformance` build: ldex-conformance's whole kit in S-mode, instead
//! of the protocol (`kernel_common::conformance` says how it runs). This
//! file is the RISC-V part: the trap table, the loader and power-off.

use core::ops::Range;

use kernel_common::conformance;
use kernel_common::initrd::SpawnError;
use kernel_common::one_program::OneProgram;
use ldex_arch_riscv::conformance::Kit;
use ldex_arch_riscv::{Satp, Timer, TrapTable};
use ldex_conformance::trap;
use ldex_core::{BootToken, TrapTable as _};

use crate::board::{self, Uart};
use crate::loader;

/// The snippet, once loaded.
static SNIPPET: OneProgram<Satp> = conformance::snippet();

fn keep_snippet(name: &str, entry: u64, sp: u64, satp: Satp) -> Result<(), SpawnError> {
    SNIPPET.keep(name, entry, sp, satp)
}

/// Run the kit on the `conformance` program of `archive` and power off with
/// its verdict. Interrupts are off; `timer` is on (`sie.STIE`).
pub fn run(
    token: &BootToken,
    timer: &Timer,
    archive: &[u8],
    ram: &Range<usize>,
    kernel_space: Satp,
) -> ! {
    TrapTable::install(token, trap::sink::<Kit>());
    let mut builder = loader::Builder {
        kernel_half: (),
        spawn: keep_snippet,
        kernel_space,
    };
    let forbidden = loader::forbidden(ram);
    let setup = loader::setup(core::slice::from_ref(&forbidden));
    kernel_common::initrd::spawn_all(archive, &setup, &mut builder, &Uart);
    // SAFETY: S-mode, interrupts off, one hart, the kit's sink installed and
    // the timer on; the loader mapped `conformance` (the snippet) for U-mode
    // in its `Satp`, which maps the kernel like the current space.
    board::exit(unsafe { conformance::run::<Kit>(SNIPPET.take(), timer, &Uart) })
}

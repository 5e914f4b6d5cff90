//! The `conformance` build: ldex-conformance's whole kit in S-mode, instead
//! of the protocol.
//!
//! The trap table is installed with the kit's own sink; the switch and
//! frame checks run first, then the trap checks enter the initrd's one
//! program, `conformance` (`ecall; ecall; spin`), the way ldex-core enters
//! a process. Each check prints `conformance: NAME: ok` (or the failure),
//! and the kernel powers off with status 0 only if all passed.

use core::ops::Range;

use kernel_common::console::print;
use kernel_common::driver::ExitCode;
use kernel_common::initrd::SpawnError;
use ldex_arch_riscv::conformance::Kit;
use ldex_arch_riscv::{Satp, Timer, TrapTable};
use ldex_conformance::Outcome;
use ldex_conformance::trap::{self, Snippet};
use ldex_core::sync::SpinLock;
use ldex_core::{BootToken, TrapTable as _};

use crate::board::{self, Uart};
use crate::loader;

/// The snippet's entry, stack and address space, once loaded.
static SNIPPET: SpinLock<Option<(u64, u64, Satp)>> = SpinLock::new(None);

fn keep_snippet(name: &str, entry: u64, sp: u64, satp: Satp) -> Result<(), SpawnError> {
    match SNIPPET.lock().replace((entry, sp, satp)) {
        None if name == "conformance" => Ok(()),
        _ => Err(SpawnError::Refused(
            "the conformance build runs the one program `conformance`",
        )),
    }
}

/// Print one check's outcome.
fn report(name: &str, outcome: Outcome) {
    match outcome {
        Ok(()) => print(&Uart, format_args!("conformance: {name}: ok\n")),
        Err(failure) => print(&Uart, format_args!("conformance: FAILED {failure}\n")),
    }
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
        ram: ram.clone(),
        spawn: keep_snippet,
        kernel_space,
    };
    let forbidden = loader::forbidden(ram);
    let setup = loader::setup(core::slice::from_ref(&forbidden));
    kernel_common::initrd::spawn_all(archive, &setup, &mut builder, &Uart);
    let Some((entry, sp, satp)) = SNIPPET.lock().take() else {
        crate::kernel::fail(
            ExitCode::NoPrograms,
            format_args!("no `conformance` program in the initrd"),
        )
    };
    let snippet = Snippet::<Kit> {
        entry: entry as usize,
        stack: sp as usize,
        aspace: Some(satp),
    };
    // SAFETY: S-mode, interrupts off, one hart, the kit's sink installed and
    // the timer on; the loader mapped `conformance` (the snippet) for U-mode
    // in `satp`, which maps the kernel like the current space.
    let passed = unsafe { ldex_conformance::run_all::<Kit>(&snippet, timer, report) };
    let code = if passed {
        ExitCode::Success
    } else {
        ExitCode::Panic
    };
    board::exit(code)
}

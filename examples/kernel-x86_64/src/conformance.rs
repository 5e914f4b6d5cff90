//! The `conformance` build: ldex-conformance's whole kit in ring 0, instead
//! of the protocol.
//!
//! The trap table is installed with the kit's own sink; the switch and
//! frame checks run first, then the trap checks enter the initrd's one
//! program, `conformance` (`syscall; syscall; spin`), the way ldex-core
//! enters a process. Each check prints `conformance: NAME: ok` (or the
//! failure), and QEMU exits with success only if all passed.

use kernel_common::driver::ExitCode;
use kernel_common::initrd::SpawnError;
use ldex_arch_x86_64::conformance::Kit;
use ldex_arch_x86_64::timer::LAPIC_PHYS;
use ldex_arch_x86_64::{AddressSpace, Timer, TrapTable};
use ldex_conformance::Outcome;
use ldex_conformance::trap::{self, Snippet};
use ldex_core::sync::SpinLock;
use ldex_core::{BootToken, TrapTable as _};

use crate::boot::PHYS_OFFSET;
use crate::serial::{Serial, qemu_exit};
use crate::{kprint, loader};

/// The snippet's entry, stack and address space, once loaded.
static SNIPPET: SpinLock<Option<(u64, u64, AddressSpace)>> = SpinLock::new(None);

fn keep_snippet(name: &str, entry: u64, sp: u64, space: AddressSpace) -> Result<(), SpawnError> {
    match SNIPPET.lock().replace((entry, sp, space)) {
        None if name == "conformance" => Ok(()),
        _ => Err(SpawnError::Refused(
            "the conformance build runs the one program `conformance`",
        )),
    }
}

/// Print one check's outcome.
fn report(name: &str, outcome: Outcome) {
    match outcome {
        Ok(()) => kprint!("conformance: {name}: ok\n"),
        Err(failure) => kprint!("conformance: FAILED {failure}\n"),
    }
}

/// Run the kit and exit QEMU with its verdict. Interrupts are off.
pub fn run(token: &BootToken, initrd: &[u8]) -> ! {
    // SAFETY: the direct map covers the local APIC; interrupts are off.
    let timer = unsafe { Timer::calibrate(token, (PHYS_OFFSET + LAPIC_PHYS) as usize) };
    TrapTable::install(token, trap::sink::<Kit>());
    let mut builder = loader::Builder {
        spawn: keep_snippet,
    };
    kernel_common::initrd::spawn_all(initrd, &loader::setup(), &mut builder, &Serial);
    let Some((entry, sp, space)) = SNIPPET.lock().take() else {
        kprint!("conformance: no `conformance` program in the initrd\n");
        qemu_exit(ExitCode::NoPrograms)
    };
    let snippet = Snippet::<Kit> {
        entry: entry as usize,
        stack: sp as usize,
        aspace: Some(space),
    };
    // SAFETY: ring 0, interrupts off, one CPU, the kit's sink installed and
    // the timer calibrated; the loader mapped `conformance` (the snippet)
    // for ring 3 in `space`, which maps the kernel like the current one.
    let passed = unsafe { ldex_conformance::run_all::<Kit>(&snippet, &timer, report) };
    qemu_exit(if passed {
        ExitCode::Success
    } else {
        ExitCode::Panic
    })
}

//! The `conformance` build of an example kernel: ldex-conformance's whole
//! kit in kernel mode, instead of the protocol.
//!
//! The kernel installs its trap table with the kit's sink
//! (`ldex_conformance::trap::sink`), loads the initrd with [`snippet`]'s
//! [`OneProgram::keep`] as its spawn hook, so that only the program
//! `conformance` (`syscall; syscall; spin` in
//! `examples/user-*/src/bin/conformance.rs`) is kept, and calls [`run`].
//! The switch and frame checks run first, then the trap checks enter the
//! snippet the way ldex-core enters a process. Each check prints
//! `conformance: NAME: ok` (or the failure), and the exit code is success
//! only if all passed. A kernel over [`paged_loader`] does all of it with
//! [`run_paged`].

use ldex_conformance::trap::{self, Snippet};
use ldex_conformance::{Backend, Outcome};
use ldex_core::{Arch, BootToken, TrapTable};

use crate::console::{Console, print};
use crate::driver::ExitCode;
use crate::initrd::Setup;
use crate::one_program::{Loaded, OneProgram};
use crate::paged_loader::{self, UserPages};

/// The address space type of backend `K`'s arch.
pub type Space<K> = <<K as Backend>::Arch as Arch>::AddressSpace;

/// The slot for the snippet: the program `conformance`, and nothing else.
pub const fn snippet<S>() -> OneProgram<S> {
    OneProgram::new(
        Some("conformance"),
        "the conformance build runs the one program `conformance`",
    )
}

/// Run every check of the kit on `snippet`, printing each outcome on
/// `console`; say how the kernel should end.
///
/// # Safety
/// As [`ldex_conformance::run_all`]: kernel mode, interrupts off, one CPU,
/// the kit's sink installed and `timer` on; `snippet`'s address space maps
/// it for user mode and maps the kernel as the current one does.
#[must_use = "the kernel ends with this code"]
pub unsafe fn run<K: Backend>(
    snippet: Option<Loaded<Space<K>>>,
    timer: &<K::Arch as Arch>::Timer,
    console: &impl Console,
) -> ExitCode {
    let Some(Loaded { entry, sp, space }) = snippet else {
        print(
            console,
            format_args!("conformance: no `conformance` program in the initrd\n"),
        );
        return ExitCode::NoPrograms;
    };
    let snippet = Snippet::<K> {
        entry: entry as usize,
        stack: sp as usize,
        aspace: Some(space),
    };
    let report = |name: &str, outcome: Outcome| match outcome {
        Ok(()) => print(console, format_args!("conformance: {name}: ok\n")),
        Err(failure) => print(console, format_args!("conformance: FAILED {failure}\n")),
    };
    // SAFETY: forwarded contract.
    if unsafe { ldex_conformance::run_all::<K>(&snippet, timer, report) } {
        ExitCode::Success
    } else {
        ExitCode::Panic
    }
}

/// The whole `conformance` build of a kernel over [`paged_loader`]:
/// install `K`'s trap table with the kit's sink, load the initrd `archive`
/// with `setup` into spaces of type `S` (`kernel_half`, `kernel_space` as
/// for [`paged_loader::Builder`]), keeping only the snippet, and [`run`]
/// the kit on it.
///
/// # Safety
/// Kernel mode, interrupts off, one CPU, `timer` on; `kernel_space`
/// selects the current address space, and every space `S::new` builds maps
/// the kernel as it does.
#[must_use = "the kernel ends with this code"]
pub unsafe fn run_paged<K: Backend, S: UserPages<Root = Space<K>>>(
    token: &BootToken,
    timer: &<K::Arch as Arch>::Timer,
    archive: &[u8],
    setup: &Setup<'_>,
    kernel_half: S::KernelHalf,
    kernel_space: S::Root,
    console: &impl Console,
) -> ExitCode {
    <K::Arch as Arch>::TrapTable::install(token, trap::sink::<K>());
    let slot = snippet();
    let mut builder = paged_loader::Builder::<S, _> {
        kernel_half,
        spawn: |name: &str, entry, sp, root| slot.keep(name, entry, sp, root),
        kernel_space,
    };
    crate::initrd::spawn_all(archive, setup, &mut builder, console);
    // SAFETY: our contract, with the kit's sink installed above; the
    // loader mapped the snippet for user mode in a space `S::new` built.
    unsafe { run::<K>(slot.take(), timer, console) }
}

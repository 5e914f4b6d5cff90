//! The `conformance` build: ldex-conformance's whole kit in ring 0, instead
//! of the protocol (`kernel_common::conformance` says how it runs). This
//! file is the x86_64 part: the timer, the trap table, the loader and the
//! QEMU exit.

use kernel_common::conformance;
use kernel_common::initrd::SpawnError;
use kernel_common::one_program::OneProgram;
use ldex_arch_x86_64::conformance::Kit;
use ldex_arch_x86_64::timer::LAPIC_PHYS;
use ldex_arch_x86_64::{AddressSpace, Timer, TrapTable};
use ldex_conformance::trap;
use ldex_core::{BootToken, TrapTable as _};

use crate::boot::PHYS_OFFSET;
use crate::loader;
use crate::serial::{Serial, qemu_exit};

/// The snippet, once loaded.
static SNIPPET: OneProgram<AddressSpace> = conformance::snippet();

fn keep_snippet(name: &str, entry: u64, sp: u64, space: AddressSpace) -> Result<(), SpawnError> {
    SNIPPET.keep(name, entry, sp, space)
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
    // SAFETY: ring 0, interrupts off, one CPU, the kit's sink installed and
    // the timer calibrated; the loader mapped `conformance` (the snippet)
    // for ring 3 in its space, which maps the kernel like the current one.
    qemu_exit(unsafe { conformance::run::<Kit>(SNIPPET.take(), &timer, &Serial) })
}

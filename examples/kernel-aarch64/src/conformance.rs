//! The `conformance` build: ldex-conformance's whole kit in EL1, instead
//! of the protocol (`kernel_common::conformance` says how it runs). This
//! file is the AArch64 part: its loader's setup and power-off.

use core::ops::Range;

use kernel_common::conformance;
use ldex_arch_aarch64::conformance::Kit;
use ldex_arch_aarch64::{Timer, Ttbr0};
use ldex_core::BootToken;

use crate::board::{self, Uart};
use crate::loader;
use crate::vm::AddressSpace;

/// Run the kit on the `conformance` program of `archive` and power off with
/// its verdict. Interrupts are off; `timer` is on (its PPI enabled at the GIC).
pub fn run(
    token: &BootToken,
    timer: &Timer,
    archive: &[u8],
    ram: &Range<usize>,
    kernel_space: Ttbr0,
) -> ! {
    let forbidden = loader::forbidden(ram);
    let setup = loader::setup(core::slice::from_ref(&forbidden));
    // SAFETY: EL1, interrupts off, one CPU, the timer on; `kernel_space`
    // is the current space, and every space the loader builds maps the
    // kernel like it.
    board::exit(unsafe {
        conformance::run_paged::<Kit, AddressSpace>(
            token,
            timer,
            archive,
            &setup,
            (),
            kernel_space,
            &Uart,
        )
    })
}

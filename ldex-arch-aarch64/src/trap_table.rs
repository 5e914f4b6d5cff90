//! The trap table: `VBAR_EL1` pointing at the sixteen slots of
//! [`crate::entry`].

use ldex_core::BootToken;
use ldex_core::arch::TrapSink;

use crate::entry::{SINK, ldex_vectors};
use crate::frame::TrapFrame;
use crate::sysreg;

/// The AArch64 trap table: `VBAR_EL1` pointing at the vector table.
#[derive(Debug)]
pub struct TrapTable;

impl ldex_core::TrapTable for TrapTable {
    type Frame = TrapFrame;

    /// Remember `sink` and point `VBAR_EL1` at the vector table.
    fn install<S: TrapSink<TrapFrame>>(_token: &BootToken, sink: &'static S) {
        SINK.install(sink);
        let table = &raw const ldex_vectors as u64;
        assert_eq!(table & 0x7ff, 0, "VBAR_EL1 needs a 2 KiB aligned table");
        // SAFETY: the token proves boot code at EL1; the table is the
        // crate's, able to take any trap from here on, and `isb` makes the
        // next exception use it.
        unsafe {
            sysreg::write!("vbar_el1", table);
            core::arch::asm!("isb", options(nostack));
        }
    }
}

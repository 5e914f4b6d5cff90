//! The trap table: `stvec` in direct mode, pointing at the one entry in
//! [`crate::entry`].

use ldex_core::BootToken;
use ldex_core::arch::TrapSink;

use crate::csr;
use crate::entry::{SINK, ldex_trap_entry};
use crate::frame::TrapFrame;

/// The RISC-V trap table: `stvec` pointing at the one entry.
#[derive(Debug)]
pub struct TrapTable;

impl ldex_core::TrapTable for TrapTable {
    type Frame = TrapFrame;

    /// Remember `sink`, set `sscratch = 0` (we are the kernel), point
    /// `stvec` at the entry in direct mode, and enable the supervisor
    /// software interrupt (`sie.SSIE`), the IPI of [`crate::smp`]. Per hart.
    fn install<S: TrapSink<TrapFrame>>(_token: &BootToken, sink: &'static S) {
        SINK.install(sink);
        let entry = ldex_trap_entry as *const () as usize;
        assert_eq!(entry & 3, 0, "stvec needs a 4-byte aligned entry");
        // SAFETY: the token proves boot code in S-mode; `sscratch = 0` is
        // the sscratch protocol's "in the kernel", and the entry is the
        // crate's, able to take any trap from here on (an IPI included,
        // once SIE is set).
        unsafe {
            csr::write!("sscratch", 0);
            csr::write!("stvec", entry);
            csr::set!("sie", csr::SIP_SSIP);
        }
    }
}

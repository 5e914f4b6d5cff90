//! The legacy 8259 PICs: remapped away from the exception vectors, then
//! masked. The local APIC delivers the only interrupt ldex uses.

use x86_64::instructions::port::Port;

use crate::entry::PIC_BASE;

/// Remap the PICs to `PIC_BASE..PIC_BASE + 16` (so a spurious IRQ 7 cannot
/// pose as an exception) and mask every line.
///
/// # Safety
/// Boot code, ring 0, interrupts disabled.
pub(crate) unsafe fn remap_and_mask() {
    let mut master_cmd = Port::<u8>::new(0x20);
    let mut master_data = Port::<u8>::new(0x21);
    let mut slave_cmd = Port::<u8>::new(0xa0);
    let mut slave_data = Port::<u8>::new(0xa1);
    // SAFETY: the standard ICW1..ICW4 sequence, then OCW1 masking all lines.
    unsafe {
        master_cmd.write(0x11);
        slave_cmd.write(0x11);
        master_data.write(PIC_BASE);
        slave_data.write(PIC_BASE + 8);
        master_data.write(4);
        slave_data.write(2);
        master_data.write(1);
        slave_data.write(1);
        master_data.write(0xff);
        slave_data.write(0xff);
    }
}

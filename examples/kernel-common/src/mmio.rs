//! Where a paging kernel reaches its memory-mapped devices.
//!
//! The devices sit at fixed physical addresses. Until paging is on the
//! kernel reaches them there; from then on at a fixed alias, the same
//! physical region moved up, which every address space maps for the
//! kernel only: so the kernel can print and exit with any address space
//! loaded, and no device sits among a program's addresses. The switch
//! happens once, on the boot CPU, before any other CPU runs.

use core::sync::atomic::{AtomicUsize, Ordering};

/// A kernel's view of its device region: physical addresses, then the
/// alias.
#[derive(Debug)]
pub struct MmioWindow {
    /// Where the region appears once paging is on.
    alias: usize,
    /// 0 before paging, `alias` after.
    base: AtomicUsize,
}

impl MmioWindow {
    /// A window that reaches the devices at their physical addresses
    /// until [`MmioWindow::use_alias`].
    pub const fn new(alias: usize) -> MmioWindow {
        MmioWindow {
            alias,
            base: AtomicUsize::new(0),
        }
    }

    /// Paging is on: reach the devices through the alias from now on.
    pub fn use_alias(&self) {
        self.base.store(self.alias, Ordering::Relaxed);
    }

    /// Where the device at physical `pa` is reached now.
    pub fn device(&self, pa: usize) -> usize {
        self.base.load(Ordering::Relaxed) + pa
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_is_at_its_physical_address_until_the_alias_is_used() {
        let window = MmioWindow::new(0xC000_0000);
        assert_eq!(window.device(0x1000_0000), 0x1000_0000);
        window.use_alias();
        assert_eq!(window.device(0x1000_0000), 0xD000_0000);
    }
}

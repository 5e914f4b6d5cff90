//! `dtb`: the RISC-V kernel's device-tree reader, on any bytes.
//!
//! kernel-riscv's `src/dtb.rs` is compiled here as it is (it needs only
//! `core` and the `fdt` crate), so the code under test is the code that
//! boots. Its `facts` runs on every blob `Fdt::new` accepts, as the
//! kernel's `read` does on the blob OpenSBI passes.

use fdt::Fdt;

#[allow(dead_code, unsafe_code)] // `read` takes a physical address: kernel only.
#[path = "../../examples/kernel-riscv/src/dtb.rs"]
mod kernel_dtb;

/// Where QEMU's virt machine puts the blob (any address would do).
const DTB_ADDRESS: usize = 0x8700_0000;

pub(crate) fn run(data: &[u8]) {
    let Ok(fdt) = Fdt::new(data) else { return };
    match kernel_dtb::facts(&fdt, DTB_ADDRESS) {
        Ok(info) => drop(format!("{info:?}")),
        Err(why) => drop(why.to_string()),
    }
}

//! What the ldex example kernels share, whatever the architecture.
//!
//! An example kernel boots, finds its initrd and command line, and then runs
//! one process per program in the initrd (OSTEP Fig 6.1). Everything in that
//! story that does not depend on the CPU lives here, so the RISC-V and x86_64
//! kernels only add their firmware entry, page tables, timer and devices:
//!
//! * [`cpio`] reads the initrd, a cpio "newc" archive.
//! * [`elf`] checks a static ELF executable and hands its segments to the
//!   kernel's mapper.
//! * [`stack`] lays out the initial user stack the way Linux does.
//! * [`initrd`] puts the three together: one process per program.
//! * [`cmdline`] parses the kernel command line (`trace`, `cpulimit=N`, ...).
//! * [`acpi`] finds the MADT through the RSDP and reads the interrupt
//!   routing and the processors from it (the x86_64 kernel's firmware
//!   tables), over [`phys::PhysicalMemory`], a checked window on physical
//!   memory.
//! * [`pvh`] reads the PVH memory map (where the x86_64 kernel's RAM ends).
//! * [`devicetree`] reads RAM, timebase, command line and initrd from a
//!   flattened device tree (the RISC-V kernel's firmware hands one over).
//! * [`os`] is the Linux-ABI system call layer, an [`ldex_core::Os`], over a
//!   small [`os::Platform`] trait each kernel implements.
//! * [`console`] formats kernel messages onto any byte sink, and
//!   [`console::WriteLock`] keeps each write whole.
//! * [`mmio`] says where a paging kernel reaches its devices: physical
//!   addresses until paging is on, a fixed alias after.
//! * [`frames`] hands out physical page frames.
//! * [`paged_loader`] builds each program's address space for the kernels
//!   with per-process page tables over identity-mapped RAM, and checks
//!   user memory there; [`perm`] is a user page's rights in those kernels.
//! * [`cpu_start`] is the boot CPU's handshake with each CPU it starts,
//!   bounded by a timeout.
//! * [`driver`] is the boot sequence itself: command line, policy, boot,
//!   spawn, run, exit code, with the defaults both kernels share.
//! * [`one_program`] keeps the one program of a build that runs no protocol,
//!   and `conformance` (feature `conformance`) runs ldex-conformance's kit
//!   on it and prints the verdicts.
//!
//! The crate is `no_std`, never allocates, and its tests run on the host.
#![no_std]
#![forbid(unsafe_op_in_unsafe_fn)]

#[cfg(test)]
extern crate std;

pub mod acpi;
pub mod cmdline;
#[cfg(feature = "conformance")]
pub mod conformance;
pub mod console;
pub mod cpio;
pub mod cpu_start;
pub mod devicetree;
pub mod driver;
pub mod elf;
pub mod fault_test;
pub mod frames;
pub mod initrd;
pub mod kernel_image;
pub mod mmio;
pub mod one_program;
pub mod os;
pub mod paged_loader;
pub mod perm;
pub mod phys;
pub mod pvh;
pub mod stack;

#[cfg(test)]
mod testing;

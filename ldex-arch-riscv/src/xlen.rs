//! XLEN: the one place rv64 and rv32 differ in the assembly.
//!
//! The entry code and swtch are written once. They store and load
//! registers with [`sx!`] / [`lx!`], which expand to `sd`/`ld` on rv64 and
//! `sw`/`lw` on rv32, and scale offsets by [`XLENB`], the register width in
//! bytes. Field offsets always come from `offset_of!` as `const` operands.

/// The register width in bytes (8 on rv64, 4 on rv32 and on the host's
/// 64-bit layout checks).
pub const XLENB: usize = core::mem::size_of::<usize>();

/// The store-register mnemonic for XLEN.
#[cfg(target_arch = "riscv32")]
macro_rules! sx {
    () => {
        "sw"
    };
}
/// The load-register mnemonic for XLEN.
#[cfg(target_arch = "riscv32")]
macro_rules! lx {
    () => {
        "lw"
    };
}
/// The store-register mnemonic for XLEN.
#[cfg(target_arch = "riscv64")]
macro_rules! sx {
    () => {
        "sd"
    };
}
/// The load-register mnemonic for XLEN.
#[cfg(target_arch = "riscv64")]
macro_rules! lx {
    () => {
        "ld"
    };
}

#[cfg(any(target_arch = "riscv32", target_arch = "riscv64"))]
pub(crate) use {lx, sx};

//! The RISC-V example kernel's descriptors (see [`super`]): filled in when
//! the kernel exists in the examples workspace.

use super::Arch;

/// The RISC-V boots: `riscv64` and `riscv32`.
pub const ARCHES: &[Arch] = &[];

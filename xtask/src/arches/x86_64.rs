//! The x86_64 example kernel's descriptor (see [`super`]): filled in when
//! the kernel exists in the examples workspace.

use super::Arch;

/// The x86_64 boots: `x86_64`.
pub const ARCHES: &[Arch] = &[];

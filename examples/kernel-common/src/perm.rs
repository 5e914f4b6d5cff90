//! The rights of a user page, whatever the page-table format: what an ELF
//! segment ([`Flags`]), `mmap`/`mprotect` ([`Prot`]) and a user-memory
//! check ([`AccessKind`]) ask for, in the one form each paging kernel
//! turns into its own entry bits.
//!
//! Writable implies readable: RISC-V reserves W without R, and AArch64's
//! access-permission bits have no write-only encoding.

use ldex_core::AccessKind;

use crate::elf::Flags;
use crate::os::Prot;

/// The rights of a user page: a set of [`Perm::R`], [`Perm::W`] (always
/// with R) and [`Perm::X`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Perm(u8);

impl Perm {
    /// No access (`PROT_NONE`).
    pub const NONE: Perm = Perm(0);
    /// Readable.
    pub const R: Perm = Perm(1);
    /// Writable (always with R).
    pub const W: Perm = Perm(1 | 2);
    /// Executable.
    pub const X: Perm = Perm(4);

    /// Both sets of rights.
    #[must_use]
    pub const fn union(self, other: Perm) -> Perm {
        Perm(self.0 | other.0)
    }

    /// Does this include every right of `other`?
    pub const fn contains(self, other: Perm) -> bool {
        self.0 & other.0 == other.0
    }

    /// The union of the rights whose flag is on.
    const fn of(read: bool, write: bool, exec: bool) -> Perm {
        let mut perm = Perm::NONE;
        if read {
            perm = perm.union(Perm::R);
        }
        if write {
            perm = perm.union(Perm::W);
        }
        if exec {
            perm = perm.union(Perm::X);
        }
        perm
    }
}

impl From<Flags> for Perm {
    /// The rights an ELF segment's flags ask for.
    fn from(flags: Flags) -> Perm {
        Perm::of(flags.read, flags.write, flags.execute)
    }
}

impl From<Prot> for Perm {
    /// The rights `mmap` or `mprotect` asks for.
    fn from(prot: Prot) -> Perm {
        Perm::of(prot.read, prot.write, prot.exec)
    }
}

impl From<AccessKind> for Perm {
    /// The right an access needs.
    fn from(access: AccessKind) -> Perm {
        match access {
            AccessKind::Read => Perm::R,
            AccessKind::Write => Perm::W,
            AccessKind::Execute => Perm::X,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_only_asks_for_read_and_write() {
        let perm = Perm::from(Prot {
            read: false,
            write: true,
            exec: false,
        });
        assert_eq!(perm, Perm::W);
        assert!(perm.contains(Perm::R));
        assert!(!perm.contains(Perm::X));
    }

    #[test]
    fn an_elf_segment_gets_exactly_its_flags() {
        let text = Perm::from(Flags {
            read: true,
            write: false,
            execute: true,
        });
        assert_eq!(text, Perm::R.union(Perm::X));
        assert!(!text.contains(Perm::W));
        let none = Perm::from(Flags {
            read: false,
            write: false,
            execute: false,
        });
        assert_eq!(none, Perm::NONE);
    }

    #[test]
    fn a_store_needs_write_and_a_fetch_needs_exec() {
        assert_eq!(Perm::from(AccessKind::Read), Perm::R);
        assert_eq!(Perm::from(AccessKind::Write), Perm::W);
        assert_eq!(Perm::from(AccessKind::Execute), Perm::X);
    }
}

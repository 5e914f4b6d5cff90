//! The one program of a build that runs no protocol: the conformance kit
//! and the x86_64 arch bench enter a single program of the initrd
//! themselves, instead of making it a process.
//!
//! The kernel's loader builds each program of the initrd as usual and, where
//! it would call `Kernel::spawn`, hands it to [`OneProgram::keep`]: the
//! first one (with the wanted name, if one is named) is kept, every other is
//! refused with one `[initrd NAME] refused: WHY` line. Boot code then
//! [`OneProgram::take`]s it and enters it.

use ldex_core::sync::SpinLock;

use crate::initrd::SpawnError;

/// A program loaded into its own address space `S`, not yet a process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Loaded<S> {
    /// Its first user pc.
    pub entry: u64,
    /// Its initial user stack pointer.
    pub sp: u64,
    /// The address space it was loaded into.
    pub space: S,
}

/// Where the one program waits between the loader and boot code: a
/// `static` where the loader's spawn hook is a plain function (x86_64),
/// a local under the paging kernels' `conformance::run_paged`, whose hook
/// is a closure.
pub struct OneProgram<S> {
    name: Option<&'static str>,
    refusal: &'static str,
    kept: SpinLock<Option<Loaded<S>>>,
}

impl<S> OneProgram<S> {
    /// Keep the first program, or the first named `name`; refuse every
    /// other with `refusal`.
    pub const fn new(name: Option<&'static str>, refusal: &'static str) -> Self {
        OneProgram {
            name,
            refusal,
            kept: SpinLock::new(None),
        }
    }

    /// The loader's spawn hook: keep the program `name` loaded at `entry`
    /// with stack pointer `sp` in `space`, if it is the one.
    pub fn keep(&self, name: &str, entry: u64, sp: u64, space: S) -> Result<(), SpawnError> {
        let mut kept = self.kept.lock();
        if kept.is_some() || self.name.is_some_and(|wanted| wanted != name) {
            return Err(SpawnError::Refused(self.refusal));
        }
        *kept = Some(Loaded { entry, sp, space });
        Ok(())
    }

    /// The kept program, once.
    pub fn take(&self) -> Option<Loaded<S>> {
        self.kept.lock().take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_program_keeps_the_first_of_its_name_and_refuses_the_rest() {
        let one = OneProgram::new(Some("conformance"), "one program only");
        let refused = Err(SpawnError::Refused("one program only"));
        assert_eq!(one.keep("hello", 1, 2, 'a'), refused);
        assert_eq!(one.keep("conformance", 3, 4, 'b'), Ok(()));
        assert_eq!(one.keep("conformance", 5, 6, 'c'), refused);
        let kept = Loaded {
            entry: 3,
            sp: 4,
            space: 'b',
        };
        assert_eq!(one.take(), Some(kept));
        assert_eq!(one.take(), None);
    }

    #[test]
    fn one_program_without_a_name_keeps_whichever_comes_first() {
        let one = OneProgram::new(None, "one program only");
        assert_eq!(one.keep("hello", 1, 2, ()), Ok(()));
        assert!(one.keep("bench", 3, 4, ()).is_err());
        assert_eq!(one.take().map(|p| p.entry), Some(1));
    }
}

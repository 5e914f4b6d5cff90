//! The program's arguments, read from the initial stack.

/// argc and argv, as `_start` found them.
#[derive(Clone, Copy, Debug)]
pub struct Args {
    argc: usize,
    argv: *const *const u8,
}

impl Args {
    /// The arguments at `sp`, the initial stack pointer: argc, then argv.
    ///
    /// # Safety
    /// `sp` points at a Linux initial stack: a word argc, then argc pointers
    /// to NUL-terminated strings that live for the whole program.
    pub unsafe fn from_initial_stack(sp: *const usize) -> Args {
        // SAFETY: the caller promises argc is at sp and argv follows.
        let argc = unsafe { sp.read() };
        Args {
            argc,
            argv: sp.wrapping_add(1).cast(),
        }
    }

    /// How many arguments there are.
    pub fn len(&self) -> usize {
        self.argc
    }

    /// Are there none?
    pub fn is_empty(&self) -> bool {
        self.argc == 0
    }

    /// Argument `i` (`argv[0]` is the program's name), as bytes.
    pub fn get(&self, i: usize) -> Option<&'static [u8]> {
        if i >= self.argc {
            return None;
        }
        // SAFETY: i < argc, so argv[i] is a pointer to a NUL-terminated
        // string that lives for the program (from_initial_stack's contract).
        let s = unsafe { core::ffi::CStr::from_ptr(self.argv.add(i).read().cast()) };
        Some(s.to_bytes())
    }

    /// Argument `i` as text (`"?"` when it is not UTF-8).
    pub fn str(&self, i: usize) -> Option<&'static str> {
        self.get(i).map(|b| core::str::from_utf8(b).unwrap_or("?"))
    }
}

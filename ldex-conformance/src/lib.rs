//! # ldex-conformance: one kit of checks for every arch backend
//!
//! docs/porting.md states the contract an arch backend signs when it
//! implements ldex-core's boundary ([`Arch`], [`TrapFrame`],
//! [`Context`](ldex_core::Context), [`TrapTable`](ldex_core::arch::TrapTable)).
//! This crate checks it. Every check is written once, generic over a
//! [`Backend`]: the arch plus the little a check cannot derive from the
//! traits (which frame slot is which register, a probe that fills the
//! callee-saved registers). Each backend's runner is a thin file that
//! implements [`Backend`] and calls the checks:
//!
//! | module      | what it checks                                        | needs            |
//! |-------------|-------------------------------------------------------|------------------|
//! | [`context`] | callee-saved registers and the stack pointer survive a switch, scheduler → process and back; a new context starts `entry(arg)` | a stack |
//! | [`frame`]   | `new_user` frames; the syscall accessors read and write the ABI's registers and nothing else | nothing |
//! | [`trap`]    | the trap-frame round trip of every register, the pc advance of a system call, interrupts off at entry, the return window | kernel mode, a timer and a user snippet ([`trap::Snippet`]) |
//!
//! The first two run anywhere the arch's code runs unprivileged (the
//! x86_64 host, qemu-user for RISC-V, the simulator); [`trap`] needs
//! kernel mode (QEMU, or the simulator's machine).
//!
//! A check returns `Err(`[`Failure`]`)` naming what broke, so a runner can
//! print it on a serial console as easily as `assert!` it in a test.
#![no_std]
#![forbid(unsafe_op_in_unsafe_fn)]

pub mod context;
pub mod frame;
pub mod trap;

use core::fmt;

use ldex_core::Arch;

use trap::Snippet;

/// The most frame registers a [`Backend`] may list (RISC-V has 31).
pub const MAX_REGISTERS: usize = 32;

/// The frame type of a backend.
pub type Frame<B> = <<B as Backend>::Arch as Arch>::TrapFrame;
/// The context type of a backend.
pub type Ctx<B> = <<B as Backend>::Arch as Arch>::Context;

/// One direction of the switch behind the C ABI, as a probe's asm calls
/// it: [`context::resume_hop`] or [`context::suspend_hop`]. The compiler
/// saves around it whatever the switch declares clobbered, exactly as it
/// does where the protocol calls the switch.
pub type Hop<C> = unsafe extern "C" fn(*mut C, *mut C);

/// What a backend supplies to run the checks: its [`Arch`], where its frame
/// keeps each user register, and a callee-saved register probe.
///
/// # Safety
/// [`Backend::probe`] must really fill every callee-saved register (and
/// check the stack pointer) as documented, or the context checks prove
/// nothing; the register indices must be in `0..REGISTERS.len()`.
pub unsafe trait Backend: 'static {
    /// The arch under test.
    type Arch: Arch;

    /// The user registers the frame holds besides the pc, by their ABI
    /// names; [`Backend::register`] indexes this list.
    const REGISTERS: &'static [&'static str];
    /// The index of the user stack pointer.
    const STACK_POINTER: usize;
    /// The index of the system call number (RISC-V a7, x86_64 rax).
    const SYSCALL_NUMBER: usize;
    /// The indices of the six system call arguments, in order.
    const SYSCALL_ARGS: [usize; 6];
    /// The index of the system call's result (a0, rax).
    const SYSCALL_RETURN: usize;
    /// Registers the trap instruction or its return overwrites by the ABI
    /// (x86_64 `syscall`/`sysretq`: rcx and r11); the round trip does not
    /// compare them.
    const TRAP_CLOBBERS: &'static [usize];

    /// The value of register `index` in `frame`.
    fn register(frame: &Frame<Self>, index: usize) -> usize;
    /// Set register `index` in `frame`.
    fn set_register(frame: &mut Frame<Self>, index: usize, value: usize);

    /// The length, in the pc's units, of the system call instruction.
    const SYSCALL_LENGTH: usize;
    /// Fill every callee-saved register with a distinct value derived from
    /// `seed`, call `hop(a, b)` with the stack aligned as the ABI wants at
    /// a call, and when it comes back return a mask with bit `i` set if
    /// callee-saved register `i` no longer holds its value, and bit 31 if
    /// the stack pointer moved.
    ///
    /// # Safety
    /// As for `hop`.
    unsafe fn probe(hop: Hop<Ctx<Self>>, a: *mut Ctx<Self>, b: *mut Ctx<Self>, seed: usize) -> u32;
}

/// Run every check of the kit, in kernel mode, handing each outcome to
/// `report` by the check's name; say whether all passed. This is what a
/// kernel's conformance build calls.
///
/// # Safety
/// As for [`trap::run`].
pub unsafe fn run_all<B: Backend>(
    snippet: &Snippet<B>,
    timer: &<B::Arch as Arch>::Timer,
    mut report: impl FnMut(&'static str, Outcome),
) -> bool {
    let mut passed = true;
    let mut note = |name, outcome: Outcome| {
        passed &= outcome.is_ok();
        report(name, outcome);
    };
    note(
        "callee_saved_registers_survive_resume_and_suspend",
        // SAFETY: the caller runs in kernel mode with interrupts off, on a
        // CPU only the kit switches.
        unsafe { context::callee_saved_registers_survive_resume_and_suspend::<B>() },
    );
    note(
        "new_user_frame_starts_user_mode_at_entry",
        frame::new_user_frame_starts_user_mode_at_entry::<B>(),
    );
    note(
        "syscall_accessors_use_the_abi_registers",
        frame::syscall_accessors_use_the_abi_registers::<B>(),
    );
    // SAFETY: the caller's contract is trap::run's.
    for (name, outcome) in unsafe { trap::run::<B>(snippet, timer) } {
        note(name, outcome);
    }
    passed
}

/// The kit's unprivileged checks (the [`context`] and [`frame`] modules) as
/// `#[test]` functions of the module that invokes it, named as the checks
/// are, for a backend whose code runs in a test process (the x86_64 host,
/// riscv64 under qemu-user, the simulator):
///
/// ```ignore
/// ldex_conformance::unprivileged_tests!(Kit);
/// // With a set-up run before the switch check (the simulator's machine):
/// ldex_conformance::unprivileged_tests!(Kit, machine());
/// ```
///
/// The switch check switches the test thread between the kit's own
/// contexts; the invoking module promises that is sound there (no other
/// code switches that thread, and interrupts, if the backend has them, are
/// off once `setup` ran).
#[macro_export]
macro_rules! unprivileged_tests {
    ($kit:ty $(, $setup:expr)?) => {
        #[test]
        fn callee_saved_registers_survive_resume_and_suspend() {
            $($setup;)?
            // SAFETY: the invoking module's promise (see the macro's doc).
            let outcome = unsafe {
                $crate::context::callee_saved_registers_survive_resume_and_suspend::<$kit>()
            };
            outcome.unwrap_or_else(|failure| ::core::panic!("{failure}"));
        }

        #[test]
        fn new_user_frame_starts_user_mode_at_entry() {
            $crate::frame::new_user_frame_starts_user_mode_at_entry::<$kit>()
                .unwrap_or_else(|failure| ::core::panic!("{failure}"));
        }

        #[test]
        fn syscall_accessors_use_the_abi_registers() {
            $crate::frame::syscall_accessors_use_the_abi_registers::<$kit>()
                .unwrap_or_else(|failure| ::core::panic!("{failure}"));
        }
    };
}

/// Why a check failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The check's name (its function's).
    pub check: &'static str,
    /// What was wrong.
    pub what: &'static str,
    /// The register concerned, if one.
    pub register: Option<&'static str>,
    /// The value wanted and the value found, if a value was compared.
    pub values: Option<(usize, usize)>,
}

impl Failure {
    /// A failure with no register and no values.
    pub const fn new(check: &'static str, what: &'static str) -> Failure {
        Failure {
            check,
            what,
            register: None,
            values: None,
        }
    }

    /// The same failure, about register `name`.
    #[must_use]
    pub const fn register(self, name: &'static str) -> Failure {
        Failure {
            register: Some(name),
            ..self
        }
    }

    /// The same failure, wanting `want` and finding `got`.
    #[must_use]
    pub const fn values(self, want: usize, got: usize) -> Failure {
        Failure {
            values: Some((want, got)),
            ..self
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.check, self.what)?;
        if let Some(name) = self.register {
            write!(f, " ({name})")?;
        }
        if let Some((want, got)) = self.values {
            write!(f, ": want {want:#x}, got {got:#x}")?;
        }
        Ok(())
    }
}

/// The outcome of one check.
pub type Outcome = Result<(), Failure>;

/// Check that `want == got`, else fail with `what`.
pub(crate) fn expect(check: &'static str, what: &'static str, want: usize, got: usize) -> Outcome {
    if want == got {
        Ok(())
    } else {
        Err(Failure::new(check, what).values(want, got))
    }
}

/// A distinct, recognisable value for register `index` under `seed`.
pub(crate) const fn pattern(seed: usize, index: usize) -> usize {
    seed ^ (index.wrapping_mul(0x0101_0101) << 4) ^ index
}

/// A frame's registers, copied out.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Registers([usize; MAX_REGISTERS]);

impl Registers {
    pub(crate) fn of<B: Backend>(frame: &Frame<B>) -> Registers {
        Registers(core::array::from_fn(|i| {
            if i < B::REGISTERS.len() {
                B::register(frame, i)
            } else {
                0
            }
        }))
    }

    /// Check every register but `skip` against `want(index)`.
    pub(crate) fn expect<B: Backend>(
        &self,
        check: &'static str,
        what: &'static str,
        skip: &[usize],
        want: impl Fn(usize) -> usize,
    ) -> Outcome {
        for (i, name) in B::REGISTERS.iter().enumerate() {
            if !skip.contains(&i) && self.0[i] != want(i) {
                return Err(Failure::new(check, what)
                    .register(name)
                    .values(want(i), self.0[i]));
            }
        }
        Ok(())
    }
}

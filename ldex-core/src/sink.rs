//! Where traps go: the [`TrapSink`] the protocol implements, the
//! [`Dispatch`] every arch writes once, and the [`SinkSlot`] that binds the
//! two for the arch's trap entry.
//!
//! An arch's trap entry is assembly that saves the frame and calls one
//! Rust function. That call is statically dispatched: the slot holds the
//! arch's [`Dispatch::dispatch`] made for the installed sink's type
//! (`entry::<D, S>`, which inlines both the decode and the sink's
//! [`TrapSink::trap`]), next to the sink itself. The entry asm loads both
//! words from the slot and calls the first with the frame and the second:
//! one Rust function per trap, with no `dyn` call and no "is a sink
//! installed?" test. Until [`SinkSlot::install`] the function is one that
//! panics with the frame (a trap before the trap table: a kernel bug), so
//! the sink can never be absent.
//!
//! # The slot's protocol
//! * [`SinkSlot::install`] writes both words once (the first install
//!   wins), the sink before the function, inside a [`Once`] that every
//!   later install passes through.
//! * A CPU points its trap vector at the entry only after its own
//!   `install` returned, so every CPU that reaches the entry has seen both
//!   words (the install that wrote them, or its `Once`, happened before).
//! * The entry loads `function` and `sink` from the same slot, at
//!   [`SinkSlot::FUNCTION`] and [`SinkSlot::SINK`] (`const` operands of
//!   the asm), and calls `function(frame, arg, sink)` with the C ABI
//!   (`arg` is [`Dispatch::dispatch`]'s).
//!   [`SinkSlot::call`] does the same from Rust.

use core::fmt;
use core::marker::PhantomData;
use core::mem::offset_of;
use core::sync::atomic::{AtomicPtr, Ordering};

use crate::cause::TrapCause;
use crate::sync::Once;

/// Where the arch delivers every trap once the user registers are saved.
///
/// The protocol's [`Kernel`](crate::Kernel) implements it.
pub trait TrapSink<F>: Sync {
    /// Handle one trap. `frame` is the saved registers on the kernel stack;
    /// when this returns, the arch restores `frame` and returns from the trap.
    fn trap(&self, frame: &mut F, cause: TrapCause);
}

/// The Rust half of one trap entry of an arch, written once for any sink:
/// decode the cause from `frame` and deliver it to `sink`.
///
/// [`SinkSlot::install`] makes it for the sink's type, so the call to
/// [`TrapSink::trap`] is a static one that the compiler inlines.
pub trait Dispatch: 'static {
    /// The frame the entry saves.
    type Frame: fmt::Debug + 'static;

    /// Handle the trap whose registers are `frame`. `arg` is the one word
    /// the entry passes besides the frame (AArch64: the slot of the vector
    /// table it came through). An entry with nothing to pass leaves the
    /// register as it is, and its dispatch ignores the value.
    fn dispatch<S: TrapSink<Self::Frame>>(sink: &'static S, frame: &mut Self::Frame, arg: usize);
}

/// The function a slot holds, as the entry asm calls it: `frame` (the saved
/// registers), `arg` (see [`Dispatch::dispatch`]) and `sink` (the slot's
/// other word). `C-unwind`: the C ABI for asm callers, and a
/// hosted test may catch the panic of a trap before install.
pub type EntryFn<F> = extern "C-unwind" fn(frame: &mut F, arg: usize, sink: *const ());

/// One trap entry's binding of its [`Dispatch`] to the installed sink (see
/// the module docs): set once by the arch's trap table's `install`, read
/// by its entry asm on every trap.
#[repr(C)]
pub struct SinkSlot<D: Dispatch> {
    /// An [`EntryFn`]: `entry::<D, S>` for the installed sink's type `S`,
    /// or `not_installed::<D>` before.
    function: AtomicPtr<()>,
    /// The installed `&'static S`, or null before.
    sink: AtomicPtr<()>,
    /// The first install wins; later ones wait for it and see its words.
    installed: Once<()>,
    dispatch: PhantomData<fn() -> D>,
}

impl<D: Dispatch> SinkSlot<D> {
    /// The byte offset of the function word, for the entry asm.
    pub const FUNCTION: usize = offset_of!(Self, function);
    /// The byte offset of the sink word, for the entry asm.
    pub const SINK: usize = offset_of!(Self, sink);

    /// An empty slot, for a `static`: its function panics with the frame.
    pub const fn new() -> Self {
        let not_installed: EntryFn<D::Frame> = not_installed::<D>;
        SinkSlot {
            function: AtomicPtr::new(not_installed as *mut ()),
            sink: AtomicPtr::new(core::ptr::null_mut()),
            installed: Once::new(),
            dispatch: PhantomData,
        }
    }

    /// Bind `D` to `sink`. The first call wins (the trap table is installed
    /// once per CPU, with the one kernel); a later call returns once the
    /// first one's words are visible to this CPU, so it may then point its
    /// trap vector at the entry.
    pub fn install<S: TrapSink<D::Frame>>(&self, sink: &'static S) {
        self.installed.call_once(|| {
            let function: EntryFn<D::Frame> = entry::<D, S>;
            self.sink
                .store((sink as *const S).cast_mut().cast(), Ordering::Relaxed);
            self.function.store(function as *mut (), Ordering::Release);
        });
    }

    /// What the entry asm does, from Rust (for tests and hosted arches):
    /// call the slot's function with `frame`, `arg` and its sink.
    pub fn call(&self, frame: &mut D::Frame, arg: usize) {
        let function = self.function.load(Ordering::Acquire);
        let sink = self.sink.load(Ordering::Relaxed);
        // SAFETY: the function word only ever holds an `EntryFn<D::Frame>`
        // (`new` and `install` store nothing else), and a pointer to a
        // function is valid for ever.
        let function = unsafe { core::mem::transmute::<*mut (), EntryFn<D::Frame>>(function) };
        function(frame, arg, sink);
    }
}

impl<D: Dispatch> Default for SinkSlot<D> {
    fn default() -> Self {
        Self::new()
    }
}

/// The installed function: `D`'s dispatch for sink type `S`, with the
/// sink's `trap` inlined into it.
extern "C-unwind" fn entry<D: Dispatch, S: TrapSink<D::Frame> + 'static>(
    frame: &mut D::Frame,
    arg: usize,
    sink: *const (),
) {
    // SAFETY: this function is in a slot's function word only after
    // `install::<S>` stored a `&'static S` in the same slot's sink word,
    // and the entry reads both from one slot after that install (module
    // docs).
    let sink = unsafe { &*sink.cast::<S>() };
    D::dispatch(sink, frame, arg);
}

/// A trap before the trap table was installed: a kernel bug. Panic with
/// the frame.
#[cold]
#[inline(never)]
extern "C-unwind" fn not_installed<D: Dispatch>(frame: &mut D::Frame, _: usize, _: *const ()) {
    panic!("trap before TrapTable::install\n{frame:#x?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Frame(u64);

    /// Adds its `arg` to the frame and calls the sink.
    struct Add;
    impl Dispatch for Add {
        type Frame = Frame;
        fn dispatch<S: TrapSink<Frame>>(sink: &'static S, frame: &mut Frame, arg: usize) {
            frame.0 += arg as u64;
            sink.trap(frame, TrapCause::Timer);
        }
    }

    struct Count(u64);
    impl TrapSink<Frame> for Count {
        fn trap(&self, frame: &mut Frame, _: TrapCause) {
            frame.0 += self.0;
        }
    }

    #[test]
    fn installed_sink_gets_every_trap_through_the_dispatch() {
        static SLOT: SinkSlot<Add> = SinkSlot::new();
        static SINK: Count = Count(100);
        SLOT.install(&SINK);
        let mut f = Frame(0);
        SLOT.call(&mut f, 1);
        SLOT.call(&mut f, 2);
        assert_eq!(f.0, 203);
    }

    #[test]
    fn the_first_install_wins() {
        static SLOT: SinkSlot<Add> = SinkSlot::new();
        static FIRST: Count = Count(10);
        static SECOND: Count = Count(20);
        SLOT.install(&FIRST);
        SLOT.install(&SECOND);
        let mut f = Frame(0);
        SLOT.call(&mut f, 0);
        assert_eq!(f.0, 10);
    }

    #[test]
    #[should_panic(expected = "trap before TrapTable::install")]
    fn trap_before_install_panics_with_the_frame() {
        static SLOT: SinkSlot<Add> = SinkSlot::new();
        SLOT.call(&mut Frame(7), 0);
    }
}

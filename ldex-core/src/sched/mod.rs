//! The scheduling policy: a pure data structure behind one trait.
//!
//! A [`Scheduler`] never touches the arch, never switches contexts and never
//! allocates after admission. The protocol ([`Kernel`](crate::Kernel)) tells
//! it what happened (a process was admitted, ran for a tick, yielded, blocked,
//! woke or exited) and asks it two questions: *who runs next?*
//! ([`Scheduler::pick_next`]) and *should the running process stop now?*
//! (the [`Decision`] returned by [`Scheduler::tick`] and
//! [`Scheduler::should_preempt`]).
//!
//! A process is in exactly one of three places as far as a policy knows:
//! runnable (admitted, put back or woken, and not picked since), running
//! (returned by `pick_next`), or blocked. Exit removes it from whichever.
//!
//! # The order of calls at a tick boundary
//!
//! Policies that count time (RR, MLFQ, STCF, stride, lottery) rely on this
//! order, which is the one of the OSTEP simulators. At the boundary that ends
//! tick `t` (time `t + 1`):
//!
//! 1. [`Scheduler::tick`]`(running)` charges the tick to the process that
//!    had the CPU (`None` when idle) and returns a [`Decision`]. Periodic
//!    work (MLFQ's priority boost) happens here.
//! 2. If that process's work for the tick ended in a system call that takes
//!    it off the CPU, the protocol reports it now: [`Scheduler::exit`] or
//!    [`Scheduler::block`]. That supersedes a `Preempt` decision: the policy
//!    settles any quantum that expired in the same tick inside `block`.
//! 3. Otherwise, on `Preempt`, [`Scheduler::put_back`] with
//!    [`Requeue::Preempted`].
//! 4. Arrivals ([`Scheduler::admit`]) then I/O completions
//!    ([`Scheduler::wake`]); after each, while a process runs,
//!    [`Scheduler::should_preempt`] may ask it to give way (`put_back`).
//! 5. If the CPU is free, [`Scheduler::pick_next`].
//!
//! A `Preempt` is therefore a request to reschedule before the process next
//! returns to user mode, not an order that must be carried out first.
//!
//! # The policies
//!
//! | policy | picks | pick | put back | admit, wake | block, exit |
//! |---|---|---|---|---|---|
//! | [`Fifo`] | in arrival order, never preempts | O(1) | O(1) | O(1) | O(1) |
//! | [`RoundRobin`] | FIFO, preempts after a quantum | O(1) | O(1) | O(1) | O(1) |
//! | [`Sjf`] | least work left (`Hint::length`); STCF preempts | O(1) | O(log n) | O(log n) | O(log n) |
//! | [`Mlfq`] | head of the highest non-empty queue | O(1) | O(1) | O(1) | O(1) |
//! | [`Lottery`] | a random ticket, counted in pid order | O(log n) | O(1) | O(log n) | O(log n) |
//! | [`Stride`] | least pass (tickets as weights) | O(1) | O(log n) | O(log n) | O(log n) |
//! | [`Cooperative`] | next runnable pid after the last, cyclically | O(log n) | O(log n) | O(log n) | O(log n) |
//!
//! MLFQ, SJF/STCF, lottery and stride keep the running process inside their
//! structure, so they run one process at a time: `pick_next` while one runs
//! returns `None`. Admitting a pid already admitted changes nothing.
//!
//! # On several CPUs
//!
//! Every CPU picks from the one policy, behind the kernel's table lock
//! (xv6's design; `docs/architecture.md` gives the measurement). FIFO and
//! round robin (a quantum per running process) say
//! [`Scheduler::supports_smp`]; the others, and cooperative (one running
//! slot), keep a single running process, so a kernel refuses to start a
//! second CPU under them rather than run them one at a time.
//!
//! # Storage
//!
//! Every policy keeps fixed-size tables indexed by [`Pid::index`] (the
//! heap and lottery policies a second one for their tree), each a [`Slots`]
//! value: an array for a capacity fixed at compile time
//! (`Fifo::<[_; 64]>::new()`, `Stride::<[_; 64], [_; 64]>::new(1)`, usable
//! in a `static`), or with the `alloc` feature a boxed slice sized at run
//! time (`Fifo::with_capacity(n)`).
//! Nothing allocates after construction. A pid whose index does not fit is
//! refused by [`Scheduler::admit`] with [`Full`]; calls about pids a policy
//! does not hold are ignored.
//!
//! # One capacity
//!
//! A [`Kernel`](crate::Kernel) names its policy without a size: each policy
//! type, its storage parameters left at their default [`KernelSized`], is a
//! [`Policy`], which the kernel instantiates for its own process-table size
//! `N`. The table and the policy then cannot disagree: there is one number.
//!
//! ```
//! use ldex_core::sched::{Policy, RoundRobin, Scheduler};
//!
//! // What a `Kernel<_, RoundRobin, _, 16>` holds: round robin over 16 pids.
//! let rr: <RoundRobin as Policy>::For<16> = RoundRobin::new(2);
//! assert_eq!(rr.name(), "rr");
//! ```

use crate::pid::Pid;

mod bitmap;
mod heap;
mod keyed;
mod list;
mod quantum;

pub mod cooperative;
pub mod fifo;
pub mod lottery;
pub mod mlfq;
pub mod rr;
pub mod sjf;
pub mod stride;

pub use cooperative::{CoopConfig, Cooperative};
pub use fifo::Fifo;
pub use heap::HeapCell;
pub use lottery::{Lottery, RandomSource, Replay, XorShift64};
pub use mlfq::{Mlfq, MlfqConfig};
pub use rr::RoundRobin;
pub use sjf::Sjf;
pub use stride::Stride;

/// A scheduling policy named without its capacity, for
/// [`Kernel`](crate::Kernel) to size: `Kernel<A, RoundRobin, O, 16>` holds a
/// `<RoundRobin as Policy>::For<16>`, round robin over 16 pids.
///
/// Every policy of this module is one, written with its storage parameters
/// left at their default, [`KernelSized`]. A policy sized at run time (with
/// `alloc`) can implement it with `For<N> = Self`, and is then checked at
/// run time: [`Scheduler::admit`] refuses a pid it has no room for.
pub trait Policy {
    /// The policy over pids with index below `N`.
    type For<const N: usize>: Scheduler + Send;
}

/// The storage parameter of a policy named as a [`Policy`]: the kernel's
/// `N` sizes it. No value has this type, so neither does such a policy: it
/// only names the [`Policy::For`] the kernel holds.
#[derive(Debug)]
pub enum KernelSized {}

impl Policy for Fifo {
    type For<const N: usize> = Fifo<[fifo::Slot; N]>;
}

impl Policy for RoundRobin {
    type For<const N: usize> = RoundRobin<[fifo::Slot; N]>;
}

impl Policy for Sjf {
    type For<const N: usize> = Sjf<[sjf::Slot; N], [HeapCell; N]>;
}

impl Policy for Mlfq {
    type For<const N: usize> = Mlfq<[mlfq::Slot; N]>;
}

impl<R: RandomSource + Send> Policy for Lottery<KernelSized, KernelSized, R> {
    type For<const N: usize> = Lottery<[lottery::Slot; N], [u64; N], R>;
}

impl Policy for Stride {
    type For<const N: usize> = Stride<[stride::Slot; N], [HeapCell; N]>;
}

impl Policy for Cooperative {
    type For<const N: usize> = Cooperative<[cooperative::Slot; N]>;
}

/// The fixed per-pid table a policy lives in: an array, or (with `alloc`)
/// a boxed slice. Its length is the policy's capacity.
pub trait Slots<T>: AsRef<[T]> + AsMut<[T]> {}

impl<T, const N: usize> Slots<T> for [T; N] {}

#[cfg(feature = "alloc")]
impl<T> Slots<T> for alloc::boxed::Box<[T]> {}

/// A boxed table of `n` copies of `fill`, for the `with_capacity`
/// constructors.
#[cfg(feature = "alloc")]
fn boxed<T: Clone>(fill: T, n: usize) -> alloc::boxed::Box<[T]> {
    alloc::vec![fill; n].into_boxed_slice()
}

/// The index of `pid` in a table of `len` slots, if it fits.
#[inline]
fn slot(pid: Pid, len: usize) -> Option<usize> {
    let i = pid.index();
    (i < len).then_some(i)
}

/// What a policy may know about a process when it is admitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hint {
    /// The job length in ticks, for SJF and STCF.
    pub length: Option<u64>,
    /// Lottery tickets or stride weight (at least 1).
    pub tickets: u32,
}

impl Hint {
    /// No length known, one ticket.
    pub const NONE: Hint = Hint {
        length: None,
        tickets: 1,
    };
}

impl Default for Hint {
    fn default() -> Self {
        Hint::NONE
    }
}

/// The policy is full: it cannot admit another process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Full;

/// A scheduling decision about the running process.
#[must_use = "a scheduling decision must be acted on"]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Keep running it.
    Continue,
    /// Take the CPU away from it: the protocol puts it back with
    /// [`Scheduler::put_back`] and picks again.
    Preempt,
}

/// Why a running process went back to the run queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Requeue {
    /// The policy said [`Decision::Preempt`].
    Preempted,
    /// The process gave up the CPU itself (`sched_yield`).
    Yielded,
}

/// A scheduling policy.
///
/// # Example
///
/// Round robin with a 2-tick quantum, driven by hand the way the kernel
/// drives it: admit, pick, charge ticks, put back on `Preempt`.
///
/// ```
/// use ldex_core::Pid;
/// use ldex_core::sched::{Decision, Hint, Requeue, RoundRobin, Scheduler};
///
/// let pid = |n| Pid::new(n).unwrap();
/// let mut rr = RoundRobin::<[_; 8]>::new(2);
/// rr.admit(pid(1), Hint::NONE).unwrap();
/// rr.admit(pid(2), Hint::NONE).unwrap();
///
/// let running = rr.pick_next();
/// assert_eq!(running, Some(pid(1)));
/// assert_eq!(rr.tick(running), Decision::Continue);
/// assert_eq!(rr.tick(running), Decision::Preempt); // the quantum is used up
/// rr.put_back(pid(1), Requeue::Preempted);
/// assert_eq!(rr.pick_next(), Some(pid(2))); // P1 went to the tail
/// assert_eq!(rr.runnable(), 1);
/// ```
pub trait Scheduler {
    /// The policy's short name, as the simulator's `--policy` spells it.
    fn name(&self) -> &'static str;

    /// A new process becomes runnable.
    fn admit(&mut self, pid: Pid, hint: Hint) -> Result<(), Full>;

    /// Choose the process to run next and mark it running; `None` when no
    /// process is runnable.
    #[must_use]
    fn pick_next(&mut self) -> Option<Pid>;

    /// One timer tick passed, during which `running` had the CPU (`None`:
    /// the CPU was idle). Policies count quanta, allotments and boosts here.
    fn tick(&mut self, running: Option<Pid>) -> Decision;

    /// After an admission or a wake-up: should `running` give way now (STCF
    /// on arrival, MLFQ when a higher queue fills)?
    fn should_preempt(&self, running: Pid) -> Decision {
        let _ = running;
        Decision::Continue
    }

    /// Can the policy have several processes running at once, one per CPU,
    /// each picked by its own CPU's scheduler loop from this one structure?
    /// A policy that keeps a single running process (a quantum, a running
    /// slot) says no, the default, and a [`Kernel`](crate::Kernel) refuses
    /// to start a second CPU under it
    /// ([`BootError::UniprocessorPolicy`](crate::kernel::BootError::UniprocessorPolicy)):
    /// it would otherwise run one process at a time on many CPUs.
    fn supports_smp(&self) -> bool {
        false
    }

    /// The running process stops running but stays runnable.
    fn put_back(&mut self, pid: Pid, why: Requeue);

    /// The running process blocks (I/O, sleep).
    fn block(&mut self, pid: Pid);

    /// A blocked process becomes runnable.
    fn wake(&mut self, pid: Pid);

    /// A process leaves for good, from any state.
    fn exit(&mut self, pid: Pid);

    /// How many processes are runnable (not counting the running one).
    fn runnable(&self) -> usize;

    /// The policy's current priority of `pid`, higher meaning more urgent,
    /// for traces and reports (MLFQ: the queue, numbered as OSTEP's
    /// `mlfq.py` does, top = levels - 1). `None` when the policy has no
    /// priorities or does not hold `pid`.
    fn priority(&self, pid: Pid) -> Option<u32> {
        let _ = pid;
        None
    }
}

/// `Scheduler` for a pointer to a scheduler, forwarding every method.
macro_rules! forward_scheduler {
    ($(#[$attr:meta])* $ptr:ty) => {
        $(#[$attr])*
        impl<S: Scheduler + ?Sized> Scheduler for $ptr {
            fn name(&self) -> &'static str {
                (**self).name()
            }
            fn admit(&mut self, pid: Pid, hint: Hint) -> Result<(), Full> {
                (**self).admit(pid, hint)
            }
            fn pick_next(&mut self) -> Option<Pid> {
                (**self).pick_next()
            }
            fn tick(&mut self, running: Option<Pid>) -> Decision {
                (**self).tick(running)
            }
            fn should_preempt(&self, running: Pid) -> Decision {
                (**self).should_preempt(running)
            }
            fn supports_smp(&self) -> bool {
                (**self).supports_smp()
            }
            fn put_back(&mut self, pid: Pid, why: Requeue) {
                (**self).put_back(pid, why)
            }
            fn block(&mut self, pid: Pid) {
                (**self).block(pid)
            }
            fn wake(&mut self, pid: Pid) {
                (**self).wake(pid)
            }
            fn exit(&mut self, pid: Pid) {
                (**self).exit(pid)
            }
            fn runnable(&self) -> usize {
                (**self).runnable()
            }
            fn priority(&self, pid: Pid) -> Option<u32> {
                (**self).priority(pid)
            }
        }
    };
}

forward_scheduler!(&mut S);
forward_scheduler!(#[cfg(feature = "alloc")] alloc::boxed::Box<S>);

/// Where a process is, as far as a policy knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Not admitted, or exited.
    Absent,
    /// Waiting for the CPU.
    Runnable,
    /// Returned by `pick_next` and not put back since.
    Running,
    /// Blocked until `wake`.
    Blocked,
}

#[cfg(test)]
mod tests;

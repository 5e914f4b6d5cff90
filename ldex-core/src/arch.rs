//! The boundary: what an architecture supplies to run the protocol.
//!
//! The kernel stack model is the same on every arch (see
//! `docs/architecture.md`):
//!
//! ```text
//!   kernel stack of process P (KSTACK bytes, 16-aligned)
//!   +--------------------------+ <- kstack top  (TSS.rsp0 / sscratch value)
//!   |  A::TrapFrame            |    user registers, saved by the trap entry
//!   +--------------------------+ <- frame pointer handed to the trap handler
//!   |  kernel call frames      |    trap handler, syscalls, sched()
//!   |  ... grows down ...      |
//!   |  rbp, rbx (x86)          |    pushed by Context::suspend (x86) or kept in
//!   +--------------------------+    the Context itself (RISC-V)
//! ```
//!
//! * A trap from user mode lands on the current process's kernel stack: the
//!   x86_64 CPU pushes its interrupt frame at TSS.rsp0 and the entry stub
//!   pushes the rest; on RISC-V the entry swaps sp with `sscratch` and stores
//!   every register. Either way the [`TrapFrame`] sits at the top of the kernel
//!   stack, and the arch calls the installed [`TrapSink`] with it.
//! * The rule "the frame is at the top of the kernel stack" is kept by core
//!   alone ([`KernelStack::frame`](crate::kstack::KernelStack::frame)): the
//!   protocol hands the arch that frame in [`Arch::enter_process`] and
//!   [`Arch::leave_process`], and the kernel stack top is where it ends.
//! * When the handler returns, the arch restores the frame and returns from
//!   the trap (`sret`, `sysretq` or `iretq`).
//! * A new process has never trapped. Its [`Context`] starts in the kernel's
//!   process-start routine, which calls [`Arch::return_to_user`] on the frame
//!   that process creation filled in (OSTEP Fig 6.2).

use crate::sync::Interrupts;
use crate::timer::Timer;
use crate::token::BootToken;

pub use crate::sink::{Dispatch, EntryFn, SinkSlot, TrapSink};

/// The saved user registers of one trap, as the arch's entry code stores them.
///
/// The frame occupies the top `size_of::<Self>()` bytes of the kernel stack
/// (the size must be a multiple of 16): the kernel stack top is the frame's
/// end, `frame.wrapping_add(1)`.
///
/// The arch decides the layout (and asserts it); the protocol only uses
/// these accessors, so it never indexes registers.
pub trait TrapFrame: Sized + core::fmt::Debug {
    /// A frame that, restored by return-from-trap, starts a process in user
    /// mode at `entry` with stack pointer `user_sp`, interrupts enabled in
    /// user mode, and every other register zero.
    fn new_user(entry: usize, user_sp: usize) -> Self;
    /// The system call number (RISC-V a7, x86_64 rax).
    fn syscall_number(&self) -> usize;
    /// The six system call arguments (RISC-V a0–a5; x86_64 rdi, rsi, rdx,
    /// r10, r8, r9).
    fn syscall_args(&self) -> [usize; 6];
    /// Set the value user mode sees as the system call's result (a0, rax).
    fn set_syscall_return(&mut self, value: usize);
    /// The user pc return-from-trap resumes at. For
    /// [`TrapCause::Syscall`](crate::TrapCause::Syscall) the arch has already
    /// advanced it past the trapping instruction.
    fn pc(&self) -> usize;
    /// Was the trap taken from user mode?
    #[allow(
        clippy::wrong_self_convention,
        reason = "reads as 'trapped from user mode'"
    )]
    fn from_user(&self) -> bool;
}

/// The kernel register context of one kernel thread, and swtch: the
/// asymmetric pair that moves the CPU between its scheduler and a process.
///
/// Every switch the protocol makes is scheduler -> process
/// ([`Context::resume`]) or process -> scheduler ([`Context::suspend`]), so
/// each call is paired with its return: `suspend` returns to just after the
/// `resume` call that ran the process, and the CPU's return-address
/// predictor sees every return it has seen pushed.
///
/// # Safety
/// Implementors promise that across `resume` and across `suspend` every
/// register the platform ABI calls callee-saved, the stack pointer and the
/// resume point survive (as the caller sees them), that the two calls pair
/// up as documented, and that a context from [`Context::new`] starts
/// `entry(arg)` on the given stack with interrupts in the state they were at
/// the `resume`.
pub unsafe trait Context: Sized {
    /// A context that has not been saved into yet. A CPU's scheduler context
    /// starts like this; its first `resume` fills it in.
    const EMPTY: Self;

    /// A context whose first `resume` runs `entry(arg)` on the stack whose
    /// (exclusive) top is `stack_top`. `entry` never returns. Its ABI is
    /// `C-unwind`: the C calling convention for asm callers, and a hosted
    /// backend (the simulator) may unwind through it to end a thread.
    fn new(entry: extern "C-unwind" fn(usize) -> !, arg: usize, stack_top: *mut u8) -> Self;

    /// Scheduler -> process: save the running scheduler's kernel registers in
    /// `*cpu`, and continue `*process` where it last suspended (or at its
    /// entry if made by `new`). Returns when that process suspends back to
    /// `cpu`.
    ///
    /// # Safety
    /// * `cpu` and `process` are distinct, valid for reads and writes, and
    ///   stay at their address until this call returns.
    /// * `*process` was made by [`Context::new`] and never resumed, or was
    ///   saved by a [`Context::suspend`] of that process naming this same
    ///   `cpu`; no other `resume` of it is in progress.
    /// * `*cpu` is not in use by another `resume` that has not returned (one
    ///   process runs per CPU context at a time).
    /// * The stack `*process` runs on stays valid while it runs, and
    ///   interrupts are disabled.
    unsafe fn resume(cpu: *mut Self, process: *mut Self);

    /// Process -> scheduler: save the running process's kernel registers in
    /// `*process` and return from the `resume` call that ran it. Returns when
    /// a later `resume` names `process`.
    ///
    /// # Safety
    /// * The caller is the process that `resume(cpu, process)` is running,
    ///   on that process's own stack: `cpu` and `process` are the very
    ///   pointers that `resume` was given, and it has not returned yet.
    /// * Interrupts are disabled.
    unsafe fn suspend(process: *mut Self, cpu: *mut Self);
}

/// The arch's trap table (x86_64: GDT, TSS, IDT and the syscall MSRs;
/// RISC-V: `stvec`).
pub trait TrapTable {
    /// The frame the entry code saves.
    type Frame: TrapFrame;
    /// Install the trap table, so that every trap (syscalls, interrupts,
    /// faults, from user or kernel mode) reaches `sink`. Privileged: boot code
    /// calls it once per CPU, with the same sink on every CPU (the first
    /// install's sink is the one every CPU's traps reach).
    ///
    /// Generic over the sink, so that the arch's trap entry calls the
    /// sink's [`TrapSink::trap`] statically: the arch binds each of its
    /// [`Dispatch`]es to `sink` in a [`SinkSlot`] before it points the
    /// CPU's trap vector at the entry.
    fn install<S: TrapSink<Self::Frame>>(token: &BootToken, sink: &'static S);
}

/// One architecture: the associated types and the few privileged operations
/// the protocol needs. Everything here is a static function because a CPU's
/// registers are global; the simulator keeps its machine in a per-run
/// handle instead. Interrupt control is the arch's [`Interrupts`], the same
/// one its spin locks use.
pub trait Arch: Interrupts + 'static {
    /// The saved user registers.
    type TrapFrame: TrapFrame;
    /// The saved kernel registers (swtch).
    type Context: Context;
    /// The trap table.
    type TrapTable: TrapTable<Frame = Self::TrapFrame>;
    /// The timer device.
    type Timer: Timer;
    /// The root of an address space (RISC-V `satp`, x86_64 CR3).
    ///
    /// A value of this type is a promise, made by whoever built it: the
    /// address space maps the kernel as the current one does, and its page
    /// tables stay valid while a process uses it. An arch whose values could
    /// break that promise (any built from raw bits) makes building one
    /// `unsafe`, so [`Kernel::spawn`](crate::Kernel::spawn) can take it from
    /// safe code and [`Arch::enter_process`] can load it.
    type AddressSpace: Copy;
    /// Per-process arch state beyond the trap frame (FPU/vector registers,
    /// the FS base). Created with `Default` when a process is created.
    type ProcessState: Default;

    /// This CPU's index below [`MAX_CPUS`](crate::percpu::MAX_CPUS), 0 for
    /// the boot CPU: how the trap path finds its per-CPU state in O(1) (see
    /// [`crate::percpu`] for where each arch keeps it). The default is the
    /// one CPU of a uniprocessor machine, and costs nothing.
    #[inline(always)]
    fn cpu_id() -> usize {
        0
    }

    /// Idle: enable interrupts, wait for one to arrive and be handled, and
    /// disable them again.
    ///
    /// On a machine with several CPUs an interrupt that became pending while
    /// interrupts were still disabled (another CPU's [`Arch::send_ipi`] that
    /// raced with this CPU's look at the run queue) must end the wait, not
    /// be slept through: x86_64 `sti; hlt` (the `sti` shadow covers the
    /// `hlt`), RISC-V `wfi` with `sstatus.SIE` still clear (it wakes on a
    /// pending enabled interrupt whatever `SIE` says), AArch64 `wfi` with
    /// `DAIF.I` still set.
    fn wait_for_interrupt();

    /// Interrupt CPU `cpu` (an index below
    /// [`MAX_CPUS`](crate::percpu::MAX_CPUS), never the caller's own): it
    /// takes a trap the arch decodes as
    /// [`TrapCause::Ipi`](crate::TrapCause::Ipi), acknowledged by the arch.
    /// The kernel sends one when it has posted work to that CPU's
    /// pending-work word (a kill of its process, a reschedule) or made a
    /// process runnable while that CPU idles; the trap's way back out reads
    /// the word. Called with interrupts disabled, possibly with the table
    /// lock held: it must not block. The default does nothing, which is
    /// right for a machine with one CPU (the kernel never sends an IPI to
    /// a CPU that has not called
    /// [`Kernel::boot_secondary`](crate::Kernel::boot_secondary)).
    #[inline(always)]
    fn send_ipi(cpu: usize) {
        let _ = cpu;
    }

    /// Make the process whose trap frame is `frame` the current one before
    /// switching to it: point the trap entry at its kernel stack top (the
    /// frame's end: TSS.rsp0, or nothing on RISC-V, whose exit path sets
    /// `sscratch` from the frame), switch to `aspace` if the process has
    /// one, and load its [`Arch::ProcessState`].
    ///
    /// # Safety
    /// `frame` is the trap frame at the top of a kernel stack that stays
    /// valid while the process exists. (`aspace` needs no promise here: its
    /// type carries it, see [`Arch::AddressSpace`].)
    unsafe fn enter_process(
        frame: *mut Self::TrapFrame,
        aspace: Option<Self::AddressSpace>,
        state: &mut Self::ProcessState,
    );

    /// The process the CPU just switched away from, with its trap frame:
    /// save whatever of [`Arch::ProcessState`] the hardware still holds
    /// (RISC-V reads the frame's `sstatus.FS` to know).
    fn leave_process(frame: &mut Self::TrapFrame, state: &mut Self::ProcessState);

    /// The running process starts over ([`FaultPolicy::Restart`]): make
    /// `state` a fresh `Default` and load it into the CPU, as
    /// [`Arch::enter_process`] would for a new process. The restart returns
    /// to user mode from the trap without a switch, so without this the
    /// process would find in its FP/vector registers (and FS base) what it
    /// had when it faulted, not the clean start a new process gets.
    ///
    /// [`FaultPolicy::Restart`]: crate::FaultPolicy::Restart
    fn restart_process(state: &mut Self::ProcessState);

    /// Return-from-trap into `frame` for a process that has never trapped:
    /// restore the user registers and drop to user mode.
    ///
    /// # Safety
    /// `frame` is the trap frame at the top of the current kernel stack, set
    /// up by [`Arch::enter_process`], and describes a user-mode context.
    unsafe fn return_to_user(frame: *mut Self::TrapFrame) -> !;
}

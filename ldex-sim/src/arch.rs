//! The simulated machine as an ldex arch backend: [`SimArch`].
//!
//! It fills the same boundary as the real backends. The trap frame sits at
//! the top of the process's kernel stack; the trap table register takes the
//! protocol's [`TrapSink`]; the timer is one-shot and counts simulated
//! ticks; `swtch` is [`SimContext`]. Every privileged operation checks the
//! CPU's mode bit, as hardware would.

use std::mem::{offset_of, size_of};

use ldex_core::arch::{Arch, TrapFrame, TrapSink, TrapTable};
use ldex_core::{BootToken, Interrupts, Timer};
use static_assertions::const_assert_eq;

use crate::context::SimContext;
use crate::machine::Machine;

/// The simulated user registers, as the simulated trap saves them.
///
/// ```text
///  offset  field
///   0x00   pc       index of the next instruction of the program
///   0x08   sp       user stack pointer
///   0x10   counter  ticks left in the current `compute` (0: not started)
///   0x18   a[0..6]  argument registers; a[0] carries the result
///   0x48   nr       system call number
///   0x50   user     trapped from user mode?
///   0x58   (pad to 16-byte multiple)
/// ```
#[repr(C, align(16))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SimFrame {
    /// Program counter: index into the program.
    pub pc: usize,
    /// User stack pointer.
    pub sp: usize,
    /// Ticks left in the current `compute` instruction.
    pub counter: usize,
    /// Argument registers.
    pub a: [usize; 6],
    /// System call number.
    pub nr: usize,
    /// Did the trap come from user mode?
    pub user: bool,
}

const_assert_eq!(size_of::<SimFrame>(), 96);
const_assert_eq!(offset_of!(SimFrame, a), 0x18);
const_assert_eq!(offset_of!(SimFrame, nr), 0x48);
const_assert_eq!(offset_of!(SimFrame, user), 0x50);

impl TrapFrame for SimFrame {
    fn new_user(entry: usize, user_sp: usize) -> Self {
        SimFrame {
            pc: entry,
            sp: user_sp,
            user: true,
            ..SimFrame::default()
        }
    }
    #[inline]
    fn syscall_number(&self) -> usize {
        self.nr
    }
    #[inline]
    fn syscall_args(&self) -> [usize; 6] {
        self.a
    }
    fn set_syscall_return(&mut self, value: usize) {
        self.a[0] = value;
    }
    fn pc(&self) -> usize {
        self.pc
    }
    fn from_user(&self) -> bool {
        self.user
    }
}

/// The simulated trap-table register.
pub struct SimTrapTable;

impl TrapTable for SimTrapTable {
    type Frame = SimFrame;
    fn install<S: TrapSink<SimFrame>>(_token: &BootToken, sink: &'static S) {
        Machine::current().set_trap_table(sink);
    }
}

/// The simulated timer: one tick per unit of simulated time.
pub struct SimTimer;

impl Timer for SimTimer {
    /// Simulated time is discrete: a tick and a system call can fall in the
    /// same instant, and the replay charges the tick first.
    const CHARGE_DUE_ON_TRAP: bool = true;
    fn frequency_hz(&self) -> u64 {
        1000
    }
    fn now(&self) -> u64 {
        Machine::current().now()
    }
    fn set_deadline(&self, deadline: u64) {
        Machine::current().set_timer(Some(deadline));
    }
    fn disarm(&self) {
        Machine::current().set_timer(None);
    }
}

/// The simulated machine as an arch.
pub enum SimArch {}

/// The machine's interrupt flag, and its spin-lock count: one per machine,
/// as many machines run at once on the host's threads.
impl Interrupts for SimArch {
    fn are_enabled() -> bool {
        Machine::current().interrupts_enabled()
    }
    fn enable() {
        Machine::current().set_interrupts(true);
    }
    fn disable() {
        Machine::current().set_interrupts(false);
    }
    fn locks_held() -> usize {
        Machine::current().locks_held()
    }
    fn set_locks_held(count: usize) {
        Machine::current().set_locks_held(count);
    }
}

impl Arch for SimArch {
    type TrapFrame = SimFrame;
    type Context = SimContext;
    type TrapTable = SimTrapTable;
    type Timer = SimTimer;
    /// The index of the process's memory in the machine.
    type AddressSpace = usize;
    type ProcessState = ();

    /// The CPU the machine is stepping.
    #[inline]
    fn cpu_id() -> usize {
        crate::machine::stepping()
    }
    fn wait_for_interrupt() {
        Machine::current().idle();
    }
    fn send_ipi(cpu: usize) {
        Machine::current().send_ipi(cpu);
    }
    unsafe fn enter_process(frame: *mut SimFrame, aspace: Option<usize>, _state: &mut ()) {
        Machine::current().enter_process(frame, aspace);
    }
    fn leave_process(_frame: &mut SimFrame, _state: &mut ()) {}
    /// The machine keeps no per-process state beyond the frame.
    fn restart_process(_state: &mut ()) {}
    unsafe fn return_to_user(frame: *mut SimFrame) -> ! {
        Machine::current().run_user(frame)
    }
}

//! The simulated machine: one CPU with a mode bit, a trap-table register, a
//! one-shot timer, a disk, and the memories of the loaded programs.
//!
//! The machine does what OSTEP's hardware column does:
//! * In user mode it runs the current program's instructions, one tick of
//!   simulated time per step of `compute` or `spin`.
//! * A system call, a fault or an interrupt is a trap: the machine saves the
//!   user registers into the frame at the top of the current kernel stack
//!   (the one the kernel named in `enter_process`), moves to kernel mode with
//!   interrupts disabled and jumps to the trap table's handler.
//! * When the handler returns, the machine restores the registers from the
//!   same frame and drops back to user mode (return-from-trap).
//! * Privileged operations (setting the trap table, stopping the timer)
//!   trap when tried in user mode.
//!
//! Interrupts are taken only when enabled: always in user mode, and in the
//! kernel only while it idles. Pending interrupts are taken in a fixed
//! order, timer first, then process arrivals, then disk completions, so a
//! run is the same every time.

use std::cell::{RefCell, RefMut};
use std::rc::Rc;

use ldex_core::arch::TrapSink;
use ldex_core::trace::Event;
use ldex_core::{AccessKind, Pid, Privilege, TrapCause};

use crate::arch::SimFrame;
use crate::memory::Memory;
use crate::scenario::Op;
use crate::timeline::{Entry, Timeline};

/// The interrupt number of the disk.
pub const IRQ_DISK: u32 = 1;
/// The interrupt number of the job-arrival device (it tells the OS to create
/// the processes whose arrival time has come).
pub const IRQ_ARRIVAL: u32 = 2;
/// Where the simulated kernel lives; a user access there faults.
pub const KERNEL_BASE: usize = 0xffff_8000_0000_0000;

/// The system call numbers of the simulated ABI (Linux x86_64's where
/// Linux has the call).
pub mod sysno {
    /// `write(fd, buf, len)`.
    pub const WRITE: usize = 1;
    /// `sched_yield()`.
    pub const SCHED_YIELD: usize = 24;
    /// `getpid()`.
    pub const GETPID: usize = 39;
    /// `exit(code)`.
    pub const EXIT: usize = 60;
    /// `disk_read(ticks)`: block until the disk answers.
    pub const DISK_READ: usize = 0x1000;
    /// `kernel_work(ticks)`: work that long inside the kernel.
    pub const KERNEL_WORK: usize = 0x1001;
}

/// The CPU's privilege mode bit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CpuMode {
    /// User mode.
    User,
    /// Kernel mode.
    Kernel,
}

/// Why the machine stopped before the kernel ran out of processes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Halt(pub String);

/// Counts of what happened, for the summary.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Traps from user mode.
    pub traps: u64,
    /// System calls.
    pub syscalls: u64,
    /// Timer interrupts (user or kernel mode).
    pub timer: u64,
    /// Device interrupts.
    pub devices: u64,
    /// Faults.
    pub faults: u64,
    /// Switches from the scheduler to a process.
    pub switches: u64,
    /// Loads of the trap-table register (kernel mode only).
    pub trap_table_loads: u64,
    /// Timer (re)programmings (kernel mode only).
    pub timer_writes: u64,
}

/// The state of the machine.
pub struct Cpu {
    mode: CpuMode,
    interrupts: bool,
    trap_table: Option<&'static dyn TrapSink<SimFrame>>,
    now: u64,
    deadline: Option<u64>,
    regs: SimFrame,
    /// The trap frame of the process the kernel entered last: the top of
    /// its kernel stack, where a trap from user mode saves the registers.
    /// (An address, so the machine stays `Send`.)
    frame: usize,
    /// Spin locks the kernel holds on this machine (debug builds count).
    locks_held: usize,
    aspace: Option<usize>,
    /// The memory of each loaded program, by address-space index.
    pub memories: Vec<Memory>,
    /// The pid running in each address space.
    pub owners: Vec<Option<Pid>>,
    /// Pending disk requests: (completion time, waiting pid), in issue order.
    pub disk: Vec<(u64, Pid)>,
    /// Processes not yet arrived: (arrival time, address space), by time.
    pub arrivals: Vec<(u64, usize)>,
    since_trap: u64,
    bound: u64,
    max_ticks: u64,
    /// The protocol's timeline.
    pub timeline: Timeline,
    record: bool,
    /// Who ran in each tick (`None`: idle).
    pub schedule: Vec<Option<Pid>>,
    /// Trap counts.
    pub counters: Counters,
    halt: Option<Halt>,
}

/// The unwinding payload that carries a machine halt out of
/// `Kernel::run` to the simulator's driver.
pub struct Halted;

/// A simulated machine, shared by the kernel contexts of one run.
pub struct Machine {
    cpu: RefCell<Cpu>,
}

thread_local! {
    static CURRENT: RefCell<Option<Rc<Machine>>> = const { RefCell::new(None) };
}

impl Machine {
    /// A powered-on machine in kernel mode, with interrupts off, the given
    /// program memories, and the calling thread as its boot CPU.
    pub fn new(
        memories: Vec<Memory>,
        arrivals: Vec<(u64, usize)>,
        bound: u64,
        max_ticks: u64,
    ) -> Rc<Machine> {
        let owners = vec![None; memories.len()];
        Rc::new(Machine {
            cpu: RefCell::new(Cpu {
                mode: CpuMode::Kernel,
                interrupts: false,
                trap_table: None,
                now: 0,
                deadline: None,
                regs: SimFrame::default(),
                frame: 0,
                locks_held: 0,
                aspace: None,
                memories,
                owners,
                disk: Vec::new(),
                arrivals,
                since_trap: 0,
                bound,
                max_ticks,
                timeline: Timeline::default(),
                record: true,
                schedule: Vec::new(),
                counters: Counters::default(),
                halt: None,
            }),
        })
    }

    /// The machine of the calling kernel thread.
    pub fn current() -> Rc<Machine> {
        CURRENT
            .with(|c| c.borrow().clone())
            .expect("this thread belongs to no simulated machine")
    }

    /// Make `machine` the calling thread's.
    pub fn adopt(machine: Rc<Machine>) {
        CURRENT.with(|c| *c.borrow_mut() = Some(machine));
    }

    /// Stop recording the timeline (for speed).
    pub fn stop_recording(&self) {
        self.cpu().record = false;
    }

    /// Forget the calling thread's machine.
    pub fn release() {
        CURRENT.with(|c| *c.borrow_mut() = None);
    }

    /// The machine state (one user at a time: everything runs on one host
    /// thread, and no caller keeps it across a switch).
    pub fn cpu(&self) -> RefMut<'_, Cpu> {
        self.cpu.borrow_mut()
    }

    /// Simulated time, in ticks.
    pub fn now(&self) -> u64 {
        self.cpu().now
    }

    /// Record a timeline entry at the current time.
    pub fn note(&self, entry: Entry) {
        let mut cpu = self.cpu();
        if let Entry::Core(Event::RestoreContext { .. }) = entry {
            cpu.counters.switches += 1;
        }
        if cpu.record {
            let now = cpu.now;
            cpu.timeline.push(now, entry);
        }
    }

    fn program_note(&self, cpu: &mut Cpu, text: String) {
        if !cpu.record {
            return;
        }
        let now = cpu.now;
        let pid = cpu.aspace.and_then(|a| cpu.owners[a]);
        cpu.timeline.push(now, Entry::Program { pid, text });
    }

    /// Load the trap-table register. Privileged: in user mode it is a trap,
    /// which the user-mode interpreter raises before getting here.
    pub fn set_trap_table(&self, sink: &'static dyn TrapSink<SimFrame>) {
        let mut cpu = self.cpu();
        assert_eq!(
            cpu.mode,
            CpuMode::Kernel,
            "the trap table was set from user mode"
        );
        cpu.trap_table = Some(sink);
        cpu.counters.trap_table_loads += 1;
    }

    /// Program the one-shot timer (`None`: disarm).
    pub fn set_timer(&self, deadline: Option<u64>) {
        let mut cpu = self.cpu();
        assert_eq!(
            cpu.mode,
            CpuMode::Kernel,
            "the timer was programmed from user mode"
        );
        cpu.deadline = deadline;
        cpu.counters.timer_writes += 1;
    }

    /// The interrupt-enable flag.
    pub fn interrupts_enabled(&self) -> bool {
        self.cpu().interrupts
    }

    /// Set the interrupt-enable flag; return the old one.
    /// Turning them on takes every interrupt already pending, in kernel
    /// mode, before the next instruction, as hardware does.
    pub fn set_interrupts(&self, on: bool) -> bool {
        let was = std::mem::replace(&mut self.cpu().interrupts, on);
        if on {
            self.take_pending_in_kernel();
        }
        was
    }

    /// Deliver pending interrupts to the kernel, in kernel mode, while
    /// interrupts stay enabled.
    fn take_pending_in_kernel(&self) {
        loop {
            let (sink, cause) = {
                let mut cpu = self.cpu();
                let Some(cause) = Self::pending(&cpu).filter(|_| cpu.interrupts) else {
                    return;
                };
                let Some(sink) = cpu.trap_table else { return };
                cpu.interrupts = false;
                Self::count(&mut cpu, cause);
                (sink, cause)
            };
            let mut frame = SimFrame::default();
            sink.trap(&mut frame, cause);
            self.cpu().interrupts = true;
        }
    }

    /// The kernel names the trap frame (so the kernel stack) and address
    /// space of the process it is about to run (TSS.rsp0 and CR3, on x86).
    pub fn enter_process(&self, frame: *mut SimFrame, aspace: Option<usize>) {
        let mut cpu = self.cpu();
        cpu.frame = frame as usize;
        cpu.aspace = aspace;
    }

    /// How many spin locks the kernel holds on this machine.
    pub fn locks_held(&self) -> usize {
        self.cpu().locks_held
    }

    /// Set the kernel's spin-lock count on this machine.
    pub fn set_locks_held(&self, count: usize) {
        self.cpu().locks_held = count;
    }

    /// The pending interrupt to take now, in priority order.
    fn pending(cpu: &Cpu) -> Option<TrapCause> {
        if cpu.deadline.is_some_and(|d| cpu.now >= d) {
            Some(TrapCause::Timer)
        } else if cpu.arrivals.first().is_some_and(|&(t, _)| cpu.now >= t) {
            Some(TrapCause::External(IRQ_ARRIVAL))
        } else if cpu.disk.iter().any(|&(t, _)| cpu.now >= t) {
            Some(TrapCause::External(IRQ_DISK))
        } else {
            None
        }
    }

    fn count(cpu: &mut Cpu, cause: TrapCause) {
        match cause {
            TrapCause::Syscall => cpu.counters.syscalls += 1,
            TrapCause::Timer => cpu.counters.timer += 1,
            TrapCause::External(_) => cpu.counters.devices += 1,
            _ => cpu.counters.faults += 1,
        }
    }

    /// Return-from-trap into `frame`, then run the program in user mode and
    /// handle its traps, for ever (the process ends inside a trap handler,
    /// which never returns then).
    pub fn run_user(self: Rc<Self>, first: *mut SimFrame) -> ! {
        let mut frame = first;
        loop {
            // Return-from-trap: restore regs from the kernel stack, move to
            // user mode, interrupts on.
            {
                let mut cpu = self.cpu();
                // SAFETY: the frame is on the current kernel stack, which the
                // kernel keeps alive while the process exists.
                cpu.regs = unsafe { *frame };
                cpu.mode = CpuMode::User;
                cpu.interrupts = true;
                cpu.since_trap = 0;
            }
            let cause = self.step_until_trap();
            // The trap: save regs to the kernel stack, move to kernel mode,
            // interrupts off, jump to the trap handler.
            let sink = {
                let mut cpu = self.cpu();
                if cause == TrapCause::Syscall {
                    cpu.regs.pc += 1;
                    cpu.regs.counter = 0;
                }
                let mut saved = cpu.regs;
                saved.user = true;
                frame = cpu.frame as *mut SimFrame;
                // SAFETY: the kernel named this frame, at the top of the
                // running process's kernel stack, in `enter_process`.
                unsafe { frame.write(saved) };
                cpu.mode = CpuMode::Kernel;
                cpu.interrupts = false;
                cpu.counters.traps += 1;
                Self::count(&mut cpu, cause);
                cpu.trap_table
                    .expect("a trap before the trap table was installed")
            };
            // SAFETY: as above; nothing else touches the frame while the
            // handler runs on this kernel thread.
            sink.trap(unsafe { &mut *frame }, cause);
            if cause == TrapCause::Syscall {
                // SAFETY: as above.
                let ret = unsafe { (*frame).a[0] } as isize;
                let mut cpu = self.cpu();
                self.program_note(&mut cpu, format!("system call returns {ret}"));
            }
        }
    }

    /// Run user instructions until one traps.
    fn step_until_trap(&self) -> TrapCause {
        loop {
            let mut cpu = self.cpu();
            let aspace = cpu.aspace.expect("user mode without an address space");
            let pc = cpu.regs.pc;
            let op = cpu.memories[aspace].program.get(pc).cloned();
            // A zero-time instruction belongs to the end of the tick before
            // it: it runs before the interrupts that came due at that
            // boundary. Interrupts are taken before the next timed one.
            assert_eq!(cpu.mode, CpuMode::User, "user code ran in kernel mode");
            let timed = matches!(op, Some(Op::Compute(1..) | Op::Spin));
            if timed && let Some(cause) = Self::pending(&cpu) {
                return cause;
            }
            if cpu.since_trap >= cpu.bound {
                let pid = cpu.aspace.and_then(|a| cpu.owners[a]).map_or(0, Pid::get);
                let why = if cpu.deadline.is_none() {
                    format!(
                        "no timer: process {pid} never gave the CPU back ({} ticks without a trap)",
                        cpu.bound
                    )
                } else {
                    format!("process {pid} ran {} ticks without a trap", cpu.bound)
                };
                drop(cpu);
                self.halt(why);
            }
            if cpu.now >= cpu.max_ticks {
                let why = Self::time_limit(&cpu);
                drop(cpu);
                self.halt(why);
            }
            match op {
                None => {
                    cpu.regs.nr = sysno::EXIT;
                    cpu.regs.a[0] = 0;
                    self.program_note(&mut cpu, "return from main(): exit(0)".into());
                    return TrapCause::Syscall;
                }
                Some(Op::Compute(0)) => cpu.regs.pc += 1,
                Some(Op::Compute(n)) => {
                    if cpu.regs.counter == 0 {
                        cpu.regs.counter = n as usize;
                        self.program_note(
                            &mut cpu,
                            format!("compute for {n} tick{}", if n == 1 { "" } else { "s" }),
                        );
                    }
                    self.tick(&mut cpu);
                    cpu.regs.counter -= 1;
                    if cpu.regs.counter == 0 {
                        cpu.regs.pc += 1;
                    }
                }
                Some(Op::Spin) => {
                    if cpu.regs.counter == 0 {
                        cpu.regs.counter = 1;
                        self.program_note(&mut cpu, "spin for ever".into());
                    }
                    self.tick(&mut cpu);
                }
                Some(op) => return self.trapping_op(&mut cpu, aspace, &op),
            }
        }
    }

    /// One tick of time for the current process (user mode, or kernel work
    /// on its behalf).
    fn tick(&self, cpu: &mut Cpu) {
        let pid = cpu.aspace.and_then(|a| cpu.owners[a]);
        cpu.schedule.push(pid);
        cpu.now += 1;
        cpu.since_trap += 1;
    }

    /// An instruction that traps at once: set the registers and say why.
    fn trapping_op(&self, cpu: &mut Cpu, aspace: usize, op: &Op) -> TrapCause {
        let syscall = |cpu: &mut Cpu, nr: usize, args: &[usize], text: String| {
            cpu.regs.nr = nr;
            cpu.regs.a = [0; 6];
            cpu.regs.a[..args.len()].copy_from_slice(args);
            self.program_note(cpu, text);
            TrapCause::Syscall
        };
        let pc = cpu.regs.pc;
        match op {
            Op::Write(text) => {
                let (addr, len) = cpu.memories[aspace].string_at(pc);
                syscall(
                    cpu,
                    sysno::WRITE,
                    &[1, addr, len],
                    format!("call write({text:?})"),
                )
            }
            Op::WriteKernelPointer => syscall(
                cpu,
                sysno::WRITE,
                &[1, KERNEL_BASE, 16],
                "call write() on a kernel pointer".into(),
            ),
            Op::GetPid => syscall(cpu, sysno::GETPID, &[], "call getpid()".into()),
            Op::Syscall(nr, args) => syscall(cpu, *nr, args, format!("call system call {nr}")),
            Op::Yield => syscall(cpu, sysno::SCHED_YIELD, &[], "call sched_yield()".into()),
            Op::KernelWork(ticks) => syscall(
                cpu,
                sysno::KERNEL_WORK,
                &[*ticks as usize],
                format!("call kernel_work({ticks})"),
            ),
            Op::Io(ticks) => syscall(
                cpu,
                sysno::DISK_READ,
                &[*ticks as usize],
                format!("read the disk ({ticks} ticks)"),
            ),
            Op::Exit(code) => syscall(
                cpu,
                sysno::EXIT,
                &[*code as usize],
                format!("call exit({code})"),
            ),
            Op::Privileged(p) => {
                self.program_note(cpu, format!("try privileged op: {}", p.name()));
                TrapCause::PrivilegedInstruction
            }
            Op::TouchKernel => {
                self.program_note(cpu, format!("load from kernel address {KERNEL_BASE:#x}"));
                TrapCause::MemoryFault {
                    addr: KERNEL_BASE,
                    access: AccessKind::Read,
                    from: Privilege::User,
                }
            }
            Op::DivideByZero => {
                self.program_note(cpu, "divide by zero".into());
                TrapCause::DivideError
            }
            Op::Compute(_) | Op::Spin => unreachable!("not a trapping instruction"),
        }
    }

    /// The kernel works for `ticks` ticks on behalf of the current process.
    /// An interrupt that comes due meanwhile is taken in kernel mode if
    /// interrupts are enabled, and stays pending otherwise.
    pub fn kernel_work(&self, ticks: u64) {
        for _ in 0..ticks {
            self.tick(&mut self.cpu());
            self.take_pending_in_kernel();
        }
    }

    /// The kernel idles: time passes until the next interrupt, which is
    /// taken in kernel mode.
    pub fn idle(&self) {
        let (sink, cause) = {
            let mut cpu = self.cpu();
            let next = [
                cpu.deadline,
                cpu.arrivals.first().map(|&(t, _)| t),
                cpu.disk.iter().map(|&(t, _)| t).min(),
            ]
            .into_iter()
            .flatten()
            .min();
            let Some(next) = next else {
                drop(cpu);
                self.halt("deadlock: no process can run and no interrupt will come".into());
            };
            if next > cpu.max_ticks {
                let why = Self::time_limit(&cpu);
                drop(cpu);
                self.halt(why);
            }
            while cpu.now < next {
                cpu.schedule.push(None);
                cpu.now += 1;
            }
            let cause = Self::pending(&cpu).expect("an interrupt is due");
            Self::count(&mut cpu, cause);
            (
                cpu.trap_table
                    .expect("idle before the trap table was installed"),
                cause,
            )
        };
        let mut frame = SimFrame::default();
        sink.trap(&mut frame, cause);
    }

    /// Why the machine stops at its time limit.
    fn time_limit(cpu: &Cpu) -> String {
        format!(
            "the simulated time limit of {} ticks was reached",
            cpu.max_ticks
        )
    }

    /// Stop the machine: unwind with [`Halted`] out of whatever runs (a
    /// process's coroutine hands the unwind on to the scheduler's stack)
    /// and out of `Kernel::run`.
    pub fn halt(&self, why: String) -> ! {
        self.cpu().halt.get_or_insert(Halt(why));
        std::panic::resume_unwind(Box::new(Halted))
    }
}

impl Cpu {
    /// Simulated time, in ticks.
    pub fn now(&self) -> u64 {
        self.now
    }

    /// The address space now on the CPU.
    pub fn current_aspace(&self) -> Option<usize> {
        self.aspace
    }

    /// Why the machine stopped early, if it did.
    pub fn halt_reason(&self) -> Option<&Halt> {
        self.halt.as_ref()
    }
}

//! The simulated machine: one or more CPUs, each with a mode bit, a
//! trap-table register and a one-shot timer, and a disk and the memories of
//! the loaded programs that they share.
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
//! order, timer first, then inter-processor interrupts, then process
//! arrivals, then disk completions, so a run is the same every time. The
//! devices (arrivals, disk) interrupt CPU 0 only; each CPU has its own
//! timer.
//!
//! With several CPUs, [`crate::smp`] steps them in CPU order within each
//! tick: a CPU runs until it has used its share of the tick (a tick of user
//! code, of kernel work, or of idling), then the next one runs; time moves
//! on when every CPU has had its share. The CPU being stepped is
//! [`stepping`], which `SimArch::cpu_id` returns.

use std::cell::{Cell, RefCell, RefMut};
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
    /// `kill(pid)`: end the process numbered `pid` (at its next return to
    /// user mode, on whichever CPU it runs).
    pub const KILL: usize = 62;
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
    /// Inter-processor interrupts sent.
    pub ipis: u64,
}

/// One simulated CPU: its registers, mode bit, interrupt flag, trap-table
/// register and timer, and who it ran in each tick.
pub struct Cpu {
    mode: CpuMode,
    interrupts: bool,
    trap_table: Option<&'static dyn TrapSink<SimFrame>>,
    deadline: Option<u64>,
    regs: SimFrame,
    /// The trap frame of the process the kernel entered last: the top of
    /// its kernel stack, where a trap from user mode saves the registers.
    /// (An address, so the machine stays `Send`.)
    frame: usize,
    /// Spin locks the kernel holds on this CPU (debug builds count).
    locks_held: usize,
    aspace: Option<usize>,
    since_trap: u64,
    /// An inter-processor interrupt is pending.
    ipi: bool,
    /// Waiting for an interrupt with nothing pending (or done with the
    /// run): what deadlock detection asks of every CPU.
    waiting: bool,
    /// Who ran in each tick (`None`: idle).
    pub schedule: Vec<Option<Pid>>,
}

impl Cpu {
    fn new() -> Cpu {
        Cpu {
            mode: CpuMode::Kernel,
            interrupts: false,
            trap_table: None,
            deadline: None,
            regs: SimFrame::default(),
            frame: 0,
            locks_held: 0,
            aspace: None,
            since_trap: 0,
            ipi: false,
            waiting: false,
            schedule: Vec::new(),
        }
    }
}

/// The state of the machine: its CPUs and what they share.
pub struct State {
    now: u64,
    cpus: Vec<Cpu>,
    /// The memory of each loaded program, by address-space index.
    pub memories: Vec<Memory>,
    /// The pid running in each address space.
    pub owners: Vec<Option<Pid>>,
    /// Pending disk requests: (completion time, waiting pid), in issue order.
    pub disk: Vec<(u64, Pid)>,
    /// Processes not yet arrived: (arrival time, address space), by time.
    pub arrivals: Vec<(u64, usize)>,
    bound: u64,
    max_ticks: u64,
    /// The protocol's timeline.
    pub timeline: Timeline,
    record: bool,
    /// Trap counts.
    pub counters: Counters,
    halt: Option<Halt>,
}

/// The unwinding payload that carries a machine halt out of
/// `Kernel::run` to the simulator's driver.
pub struct Halted;

/// A simulated machine, shared by the kernel contexts of one run.
pub struct Machine {
    state: RefCell<State>,
}

thread_local! {
    static CURRENT: RefCell<Option<Rc<Machine>>> = const { RefCell::new(None) };
    /// The CPU being stepped: what [`SimArch::cpu_id`](crate::arch::SimArch)
    /// returns. Kept apart from the machine so that reading it costs one
    /// thread-local load.
    static STEPPING: Cell<usize> = const { Cell::new(0) };
}

/// The index of the CPU the machine is stepping now.
#[inline]
pub fn stepping() -> usize {
    STEPPING.with(Cell::get)
}

/// Step CPU `cpu` from now on (the driver of [`crate::smp`]).
pub(crate) fn set_stepping(cpu: usize) {
    STEPPING.with(|s| s.set(cpu));
}

impl Machine {
    /// A powered-on machine with one CPU in kernel mode, interrupts off,
    /// the given program memories, and the calling thread as its CPU.
    pub fn new(
        memories: Vec<Memory>,
        arrivals: Vec<(u64, usize)>,
        bound: u64,
        max_ticks: u64,
    ) -> Rc<Machine> {
        Machine::with_cpus(1, memories, arrivals, bound, max_ticks)
    }

    /// A powered-on machine with `cpus` CPUs (at least 1), each in kernel
    /// mode with interrupts off. With more than one, [`crate::smp`] steps
    /// them.
    pub fn with_cpus(
        cpus: usize,
        memories: Vec<Memory>,
        arrivals: Vec<(u64, usize)>,
        bound: u64,
        max_ticks: u64,
    ) -> Rc<Machine> {
        assert!(
            (1..=ldex_core::MAX_CPUS).contains(&cpus),
            "a machine of {cpus} CPUs"
        );
        let owners = vec![None; memories.len()];
        let mut timeline = Timeline::default();
        timeline.set_cpus(cpus);
        set_stepping(0);
        Rc::new(Machine {
            state: RefCell::new(State {
                now: 0,
                cpus: (0..cpus).map(|_| Cpu::new()).collect(),
                memories,
                owners,
                disk: Vec::new(),
                arrivals,
                bound,
                max_ticks,
                timeline,
                record: true,
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
        self.state().record = false;
    }

    /// Forget the calling thread's machine.
    pub fn release() {
        CURRENT.with(|c| *c.borrow_mut() = None);
        set_stepping(0);
    }

    /// The machine state (one user at a time: everything runs on one host
    /// thread, and no caller keeps it across a switch or a tick).
    pub fn state(&self) -> RefMut<'_, State> {
        self.state.borrow_mut()
    }

    /// Simulated time, in ticks.
    pub fn now(&self) -> u64 {
        self.state().now
    }

    /// How many CPUs the machine has.
    pub fn cpus(&self) -> usize {
        self.state().cpus.len()
    }

    /// Record a timeline entry at the current time, on the stepped CPU.
    pub fn note(&self, entry: Entry) {
        let mut st = self.state();
        if let Entry::Core(Event::RestoreContext { .. }) = entry {
            st.counters.switches += 1;
        }
        if st.record {
            let now = st.now;
            st.timeline.push(now, stepping(), entry);
        }
    }

    fn program_note(st: &mut State, text: String) {
        if !st.record {
            return;
        }
        let now = st.now;
        let pid = st.cpu().aspace.and_then(|a| st.owners[a]);
        st.timeline
            .push(now, stepping(), Entry::Program { pid, text });
    }

    /// Load the trap-table register. Privileged: in user mode it is a trap,
    /// which the user-mode interpreter raises before getting here.
    pub fn set_trap_table(&self, sink: &'static dyn TrapSink<SimFrame>) {
        let mut st = self.state();
        let cpu = st.cpu();
        assert_eq!(
            cpu.mode,
            CpuMode::Kernel,
            "the trap table was set from user mode"
        );
        cpu.trap_table = Some(sink);
        st.counters.trap_table_loads += 1;
    }

    /// Program the one-shot timer (`None`: disarm).
    pub fn set_timer(&self, deadline: Option<u64>) {
        let mut st = self.state();
        let cpu = st.cpu();
        assert_eq!(
            cpu.mode,
            CpuMode::Kernel,
            "the timer was programmed from user mode"
        );
        cpu.deadline = deadline;
        st.counters.timer_writes += 1;
    }

    /// Raise an inter-processor interrupt on CPU `cpu`.
    pub fn send_ipi(&self, cpu: usize) {
        let mut st = self.state();
        assert_ne!(cpu, stepping(), "a CPU sent an IPI to itself");
        st.cpus[cpu].ipi = true;
        st.counters.ipis += 1;
    }

    /// The interrupt-enable flag.
    pub fn interrupts_enabled(&self) -> bool {
        self.state().cpu().interrupts
    }

    /// Set the interrupt-enable flag; return the old one.
    /// Turning them on takes every interrupt already pending, in kernel
    /// mode, before the next instruction, as hardware does.
    pub fn set_interrupts(&self, on: bool) -> bool {
        let was = std::mem::replace(&mut self.state().cpu().interrupts, on);
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
                let mut st = self.state();
                let Some(cause) = Self::pending(&st).filter(|_| st.cpu().interrupts) else {
                    return;
                };
                let Some(sink) = st.cpu().trap_table else {
                    return;
                };
                st.cpu().interrupts = false;
                Self::accept(&mut st, cause);
                (sink, cause)
            };
            let mut frame = SimFrame::default();
            sink.trap(&mut frame, cause);
            self.state().cpu().interrupts = true;
        }
    }

    /// The kernel names the trap frame (so the kernel stack) and address
    /// space of the process it is about to run (TSS.rsp0 and CR3, on x86).
    pub fn enter_process(&self, frame: *mut SimFrame, aspace: Option<usize>) {
        let mut st = self.state();
        let cpu = st.cpu();
        cpu.frame = frame as usize;
        cpu.aspace = aspace;
    }

    /// How many spin locks the kernel holds on this CPU.
    pub fn locks_held(&self) -> usize {
        self.state().cpu().locks_held
    }

    /// Set the kernel's spin-lock count on this CPU.
    pub fn set_locks_held(&self, count: usize) {
        self.state().cpu().locks_held = count;
    }

    /// The pending interrupt of the stepped CPU to take now, in priority
    /// order. Devices interrupt CPU 0 only.
    fn pending(st: &State) -> Option<TrapCause> {
        let id = stepping();
        let cpu = &st.cpus[id];
        if cpu.deadline.is_some_and(|d| st.now >= d) {
            Some(TrapCause::Timer)
        } else if cpu.ipi {
            Some(TrapCause::Ipi)
        } else if id != 0 {
            None
        } else if st.arrivals.first().is_some_and(|&(t, _)| st.now >= t) {
            Some(TrapCause::External(IRQ_ARRIVAL))
        } else if st.disk.iter().any(|&(t, _)| st.now >= t) {
            Some(TrapCause::External(IRQ_DISK))
        } else {
            None
        }
    }

    /// The stepped CPU takes the interrupt or exception `cause`: count it,
    /// and acknowledge an IPI.
    fn accept(st: &mut State, cause: TrapCause) {
        let c = &mut st.counters;
        match cause {
            TrapCause::Syscall => c.syscalls += 1,
            TrapCause::Timer => c.timer += 1,
            TrapCause::Ipi => st.cpu().ipi = false,
            TrapCause::External(_) => c.devices += 1,
            _ => c.faults += 1,
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
                let mut st = self.state();
                let cpu = st.cpu();
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
                let mut st = self.state();
                let cpu = st.cpu();
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
                let sink = cpu
                    .trap_table
                    .expect("a trap before the trap table was installed");
                st.counters.traps += 1;
                Self::accept(&mut st, cause);
                sink
            };
            // SAFETY: as above; nothing else touches the frame while the
            // handler runs on this kernel thread.
            sink.trap(unsafe { &mut *frame }, cause);
            if cause == TrapCause::Syscall {
                // SAFETY: as above.
                let ret = unsafe { (*frame).a[0] } as isize;
                let mut st = self.state();
                Self::program_note(&mut st, format!("system call returns {ret}"));
            }
        }
    }

    /// Run user instructions until one traps.
    fn step_until_trap(&self) -> TrapCause {
        loop {
            let mut st = self.state();
            let aspace = st.cpu().aspace.expect("user mode without an address space");
            let pc = st.cpu().regs.pc;
            let op = st.memories[aspace].program.get(pc).cloned();
            // A zero-time instruction belongs to the end of the tick before
            // it: it runs before the interrupts that came due at that
            // boundary. Interrupts are taken before the next timed one.
            assert_eq!(st.cpu().mode, CpuMode::User, "user code ran in kernel mode");
            let timed = matches!(op, Some(Op::Compute(1..) | Op::Spin));
            if timed && let Some(cause) = Self::pending(&st) {
                return cause;
            }
            if st.cpu().since_trap >= st.bound {
                let pid = st
                    .cpu()
                    .aspace
                    .and_then(|a| st.owners[a])
                    .map_or(0, Pid::get);
                let bound = st.bound;
                let why = if st.cpu().deadline.is_none() {
                    format!(
                        "no timer: process {pid} never gave the CPU back ({bound} ticks without a trap)"
                    )
                } else {
                    format!("process {pid} ran {bound} ticks without a trap")
                };
                drop(st);
                self.halt(why);
            }
            if st.now >= st.max_ticks {
                let why = Self::time_limit(&st);
                drop(st);
                self.halt(why);
            }
            let pass = match op {
                None => {
                    let cpu = st.cpu();
                    cpu.regs.nr = sysno::EXIT;
                    cpu.regs.a[0] = 0;
                    Self::program_note(&mut st, "return from main(): exit(0)".into());
                    return TrapCause::Syscall;
                }
                Some(Op::Compute(0)) => {
                    st.cpu().regs.pc += 1;
                    false
                }
                Some(Op::Compute(n)) => {
                    if st.cpu().regs.counter == 0 {
                        st.cpu().regs.counter = n as usize;
                        Self::program_note(
                            &mut st,
                            format!("compute for {n} tick{}", if n == 1 { "" } else { "s" }),
                        );
                    }
                    let pass = Self::tick(&mut st);
                    let cpu = st.cpu();
                    cpu.regs.counter -= 1;
                    if cpu.regs.counter == 0 {
                        cpu.regs.pc += 1;
                    }
                    pass
                }
                Some(Op::Spin) => {
                    if st.cpu().regs.counter == 0 {
                        st.cpu().regs.counter = 1;
                        Self::program_note(&mut st, "spin for ever".into());
                    }
                    Self::tick(&mut st)
                }
                Some(op) => return Self::trapping_op(&mut st, aspace, &op),
            };
            drop(st);
            if pass {
                crate::smp::pass_tick();
            }
        }
    }

    /// One tick of time for the stepped CPU's process (user mode, or kernel
    /// work on its behalf). With one CPU time moves on at once; with more,
    /// the CPU has used its share of the tick and returns `true`: the
    /// caller, holding no borrow of the machine, passes the tick on to the
    /// next CPU ([`crate::smp::pass_tick`]).
    #[must_use]
    fn tick(st: &mut State) -> bool {
        let aspace = st.cpu().aspace;
        let pid = aspace.and_then(|a| st.owners[a]);
        let cpu = st.cpu();
        cpu.schedule.push(pid);
        cpu.since_trap += 1;
        if st.cpus.len() == 1 {
            st.now += 1;
            false
        } else {
            true
        }
    }

    /// An instruction that traps at once: set the registers and say why.
    fn trapping_op(st: &mut State, aspace: usize, op: &Op) -> TrapCause {
        let syscall = |st: &mut State, nr: usize, args: &[usize], text: String| {
            let cpu = st.cpu();
            cpu.regs.nr = nr;
            cpu.regs.a = [0; 6];
            cpu.regs.a[..args.len()].copy_from_slice(args);
            Self::program_note(st, text);
            TrapCause::Syscall
        };
        let pc = st.cpu().regs.pc;
        match op {
            Op::Write(text) => {
                let (addr, len) = st.memories[aspace].string_at(pc);
                syscall(
                    st,
                    sysno::WRITE,
                    &[1, addr, len],
                    format!("call write({text:?})"),
                )
            }
            Op::WriteKernelPointer => syscall(
                st,
                sysno::WRITE,
                &[1, KERNEL_BASE, 16],
                "call write() on a kernel pointer".into(),
            ),
            Op::GetPid => syscall(st, sysno::GETPID, &[], "call getpid()".into()),
            Op::Syscall(nr, args) => syscall(st, *nr, args, format!("call system call {nr}")),
            Op::Yield => syscall(st, sysno::SCHED_YIELD, &[], "call sched_yield()".into()),
            Op::KernelWork(ticks) => syscall(
                st,
                sysno::KERNEL_WORK,
                &[*ticks as usize],
                format!("call kernel_work({ticks})"),
            ),
            Op::Io(ticks) => syscall(
                st,
                sysno::DISK_READ,
                &[*ticks as usize],
                format!("read the disk ({ticks} ticks)"),
            ),
            Op::Exit(code) => syscall(
                st,
                sysno::EXIT,
                &[*code as usize],
                format!("call exit({code})"),
            ),
            Op::Privileged(p) => {
                Self::program_note(st, format!("try privileged op: {}", p.name()));
                TrapCause::PrivilegedInstruction
            }
            Op::TouchKernel => {
                Self::program_note(st, format!("load from kernel address {KERNEL_BASE:#x}"));
                TrapCause::MemoryFault {
                    addr: KERNEL_BASE,
                    access: AccessKind::Read,
                    from: Privilege::User,
                }
            }
            Op::DivideByZero => {
                Self::program_note(st, "divide by zero".into());
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
            let pass = Self::tick(&mut self.state());
            if pass {
                crate::smp::pass_tick();
            }
            self.take_pending_in_kernel();
        }
    }

    /// The kernel idles: time passes until the next interrupt, which is
    /// taken in kernel mode.
    pub fn idle(&self) {
        if self.cpus() > 1 {
            return self.idle_tick_by_tick();
        }
        let (sink, cause) = {
            let mut st = self.state();
            let next = [
                st.cpu().deadline,
                st.arrivals.first().map(|&(t, _)| t),
                st.disk.iter().map(|&(t, _)| t).min(),
            ]
            .into_iter()
            .flatten()
            .min();
            let Some(next) = next else {
                drop(st);
                self.halt("deadlock: no process can run and no interrupt will come".into());
            };
            if next > st.max_ticks {
                let why = Self::time_limit(&st);
                drop(st);
                self.halt(why);
            }
            while st.now < next {
                st.cpu().schedule.push(None);
                st.now += 1;
            }
            let cause = Self::pending(&st).expect("an interrupt is due");
            Self::accept(&mut st, cause);
            (
                st.cpu()
                    .trap_table
                    .expect("idle before the trap table was installed"),
                cause,
            )
        };
        let mut frame = SimFrame::default();
        sink.trap(&mut frame, cause);
    }

    /// [`Machine::idle`] with several CPUs: the others go on running, so
    /// this one waits out its share of each tick until an interrupt of its
    /// own is pending.
    fn idle_tick_by_tick(&self) {
        loop {
            let taken = {
                let mut st = self.state();
                if let Some(cause) = Self::pending(&st) {
                    st.cpu().waiting = false;
                    Self::accept(&mut st, cause);
                    Some((
                        st.cpu()
                            .trap_table
                            .expect("idle before the trap table was installed"),
                        cause,
                    ))
                } else {
                    st.cpu().waiting = true;
                    let why = if st.now >= st.max_ticks {
                        Some(Self::time_limit(&st))
                    } else if Self::no_interrupt_will_come(&st) {
                        Some("deadlock: no process can run and no interrupt will come".into())
                    } else {
                        None
                    };
                    if let Some(why) = why {
                        drop(st);
                        self.halt(why);
                    }
                    st.cpu().schedule.push(None);
                    None
                }
            };
            match taken {
                Some((sink, cause)) => {
                    sink.trap(&mut SimFrame::default(), cause);
                    return;
                }
                None => crate::smp::pass_tick(),
            }
        }
    }

    /// Every CPU waits and nothing can interrupt any of them.
    fn no_interrupt_will_come(st: &State) -> bool {
        st.cpus
            .iter()
            .all(|c| c.waiting && c.deadline.is_none() && !c.ipi)
            && st.arrivals.is_empty()
            && st.disk.is_empty()
    }

    /// CPU `cpu` is done with the run: it waits for nothing any more.
    pub(crate) fn retire(&self, cpu: usize) {
        let mut st = self.state();
        let c = &mut st.cpus[cpu];
        c.waiting = true;
        c.deadline = None;
    }

    /// Every CPU has had its share of the tick: time moves on.
    pub(crate) fn advance(&self) {
        self.state().now += 1;
    }

    /// Why the machine stops at its time limit.
    fn time_limit(st: &State) -> String {
        format!(
            "the simulated time limit of {} ticks was reached",
            st.max_ticks
        )
    }

    /// Stop the machine: unwind with [`Halted`] out of whatever runs (a
    /// process's coroutine hands the unwind on to the scheduler's stack)
    /// and out of `Kernel::run`.
    pub fn halt(&self, why: String) -> ! {
        self.state().halt.get_or_insert(Halt(why));
        std::panic::resume_unwind(Box::new(Halted))
    }
}

impl State {
    /// The CPU being stepped.
    #[inline]
    fn cpu(&mut self) -> &mut Cpu {
        &mut self.cpus[stepping()]
    }

    /// Simulated time, in ticks.
    pub fn now(&self) -> u64 {
        self.now
    }

    /// The address space now on the stepped CPU.
    pub fn current_aspace(&self) -> Option<usize> {
        self.cpus[stepping()].aspace
    }

    /// Who ran in each tick, on each CPU (`[cpu][tick]`; `None`: idle).
    pub fn schedules(&self) -> Vec<Vec<Option<Pid>>> {
        self.cpus.iter().map(|c| c.schedule.clone()).collect()
    }

    /// Why the machine stopped early, if it did.
    pub fn halt_reason(&self) -> Option<&Halt> {
        self.halt.as_ref()
    }
}

//! The simulated OS: the system call table, the disk and arrival interrupt
//! handlers, and the trace sink, on top of the ldex-core protocol.

use std::sync::{Mutex, OnceLock, PoisonError};

use ldex_core::kernel::SpawnError;
use ldex_core::proc::{Ending, ProcInfo};
use ldex_core::sched::Hint;
use ldex_core::syscall::{SyscallCx, WaitChannel, Wake, errno};
use ldex_core::trace::Event;
use ldex_core::user::UserSlice;
use ldex_core::{AccessKind, Os, Pid, SyscallAction};

use crate::arch::SimArch;
use crate::machine::{IRQ_ARRIVAL, IRQ_DISK, Machine, sysno};
use crate::run::SimKernelOf;
use crate::scenario::ProcSpec;
use crate::timeline::Entry;

/// Where every user stack starts (the simulated programs do not use it).
const USER_STACK_TOP: usize = 0x7fff_f000;

/// How one process ended, for the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcResult {
    /// What the kernel knew at the end.
    pub info: ProcInfo,
    /// How it ended.
    pub ending: Ending,
    /// The tick it was reaped at.
    pub end: u64,
}

/// A process the OS created.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Launch {
    /// Its pid.
    pub pid: Pid,
    /// Its name.
    pub name: String,
    /// The tick it was created at.
    pub tick: u64,
}

/// A process the kernel refused to create.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused {
    /// Its name.
    pub name: String,
    /// The tick it should have been created at.
    pub tick: u64,
    /// Why not.
    pub error: SpawnError,
}

impl Refused {
    /// Why not, in words.
    pub fn reason(&self) -> &'static str {
        match self.error {
            SpawnError::TableFull => "not created: the process table is full",
            SpawnError::SchedulerFull => "not created: the policy is full",
        }
    }
}

/// What the OS needs of the kernel it runs in, whatever its capacity:
/// process creation and `kill(2)`.
pub trait KernelCalls: Sync {
    /// [`ldex_core::Kernel::spawn`].
    fn spawn(
        &'static self,
        name: &str,
        entry: usize,
        user_sp: usize,
        aspace: Option<usize>,
        hint: Hint,
    ) -> Result<Pid, SpawnError>;

    /// [`ldex_core::Kernel::kill`] of the live process numbered `number`:
    /// did one exist?
    fn kill(&self, number: u32) -> bool;
}

impl<const N: usize> KernelCalls for SimKernelOf<N> {
    fn spawn(
        &'static self,
        name: &str,
        entry: usize,
        user_sp: usize,
        aspace: Option<usize>,
        hint: Hint,
    ) -> Result<Pid, SpawnError> {
        SimKernelOf::<N>::spawn(self, name, entry, user_sp, aspace, hint)
    }

    fn kill(&self, number: u32) -> bool {
        self.pid(number)
            .is_some_and(|pid| SimKernelOf::<N>::kill(self, pid).is_ok())
    }
}

/// The simulated OS.
pub struct SimOs {
    kernel: OnceLock<&'static dyn KernelCalls>,
    specs: Vec<ProcSpec>,
    launches: Mutex<Vec<Launch>>,
    refused: Mutex<Vec<Refused>>,
    results: Mutex<Vec<ProcResult>>,
}

impl SimOs {
    /// An OS for these processes (address space `i` holds `specs[i]`).
    pub fn new(specs: Vec<ProcSpec>) -> SimOs {
        SimOs {
            kernel: OnceLock::new(),
            specs,
            launches: Mutex::default(),
            refused: Mutex::default(),
            results: Mutex::default(),
        }
    }

    /// Tell the OS which kernel it runs in (done once, before boot).
    pub fn attach(&self, kernel: &'static dyn KernelCalls) {
        assert!(self.kernel.set(kernel).is_ok(), "the OS was attached twice");
    }

    /// Create the process whose program is in address space `aspace`.
    pub fn launch(&self, aspace: usize) {
        let kernel = self.kernel.get().expect("the OS is attached to a kernel");
        let spec = &self.specs[aspace];
        let machine = Machine::current();
        match kernel.spawn(&spec.name, 0, USER_STACK_TOP, Some(aspace), spec.hint) {
            Ok(pid) => {
                machine.state().owners[aspace] = Some(pid);
                let tick = machine.now();
                self.launches
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(Launch {
                        pid,
                        name: spec.name.clone(),
                        tick,
                    });
            }
            Err(error) => {
                let refused = Refused {
                    name: spec.name.clone(),
                    tick: machine.now(),
                    error,
                };
                machine.note(Entry::Program {
                    pid: None,
                    text: format!("{}: {}", spec.name, refused.reason()),
                });
                self.refused
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(refused);
            }
        }
    }

    /// The processes the kernel refused to create, in order.
    pub fn refused(&self) -> Vec<Refused> {
        self.refused
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The processes created, in order.
    pub fn launches(&self) -> Vec<Launch> {
        self.launches
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The processes that ended, in order.
    pub fn results(&self) -> Vec<ProcResult> {
        self.results
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn write(&self, machine: &Machine, pid: Pid, args: [usize; 6]) -> SyscallAction {
        let [fd, addr, len, ..] = args;
        if fd != 1 && fd != 2 {
            return SyscallAction::Return(errno::ret(errno::EBADF));
        }
        let text = {
            let st = machine.state();
            let Some(mem) = machine_memory(&st) else {
                return SyscallAction::Return(errno::ret(errno::EFAULT));
            };
            match UserSlice::new(addr, len).check(mem, AccessKind::Read) {
                Ok(s) => String::from_utf8_lossy(mem.read(s.addr(), s.len())).into_owned(),
                Err(fault) => return SyscallAction::Return(fault.errno()),
            }
        };
        machine.note(Entry::Output { pid, text });
        SyscallAction::Return(len)
    }
}

fn machine_memory(st: &crate::machine::State) -> Option<&crate::memory::Memory> {
    st.current_aspace().map(|a| &st.memories[a])
}

impl Os<SimArch> for SimOs {
    fn syscall(&self, cx: &mut SyscallCx<'_, SimArch>) -> SyscallAction {
        let machine = Machine::current();
        match cx.nr() {
            sysno::WRITE => self.write(&machine, cx.pid, cx.args()),
            sysno::GETPID => SyscallAction::Return(cx.pid.get() as usize),
            sysno::KILL => {
                let kernel = self.kernel.get().expect("the OS is attached to a kernel");
                let found = u32::try_from(cx.arg(0)).is_ok_and(|n| kernel.kill(n));
                SyscallAction::Return(if found { 0 } else { errno::ret(errno::ESRCH) })
            }
            sysno::SCHED_YIELD => SyscallAction::Yield(0),
            sysno::EXIT => SyscallAction::Exit(cx.arg(0) as i32),
            // A read of 0 ticks still blocks: the disk answers at once, and
            // the process is woken at the same boundary, after arrivals (as
            // OSTEP's simulators treat an I/O time of 0).
            sysno::DISK_READ => {
                let mut st = machine.state();
                let done = st.now() + cx.arg(0) as u64;
                st.disk.push((done, cx.pid));
                SyscallAction::Block {
                    channel: WaitChannel(cx.pid.get() as usize),
                    value: 0,
                }
            }
            sysno::KERNEL_WORK => {
                machine.kernel_work(cx.arg(0) as u64);
                SyscallAction::Return(0)
            }
            _ => SyscallAction::Return(errno::ret(errno::ENOSYS)),
        }
    }

    fn interrupt(&self, irq: u32, wake: &dyn Wake) {
        let machine = Machine::current();
        match irq {
            IRQ_DISK => {
                let done: Vec<Pid> = {
                    let mut st = machine.state();
                    let now = st.now();
                    let (done, pending) = st.disk.iter().partition(|&&(t, _)| t <= now);
                    st.disk = pending;
                    done.into_iter().map(|(_, pid)| pid).collect()
                };
                for pid in done {
                    wake.wake(WaitChannel(pid.get() as usize));
                }
            }
            IRQ_ARRIVAL => {
                let due: Vec<usize> = {
                    let mut st = machine.state();
                    let now = st.now();
                    let n = st.arrivals.iter().take_while(|&&(t, _)| t <= now).count();
                    st.arrivals.drain(..n).map(|(_, a)| a).collect()
                };
                for aspace in due {
                    self.launch(aspace);
                }
            }
            _ => unreachable!("the simulated machine has no interrupt {irq}"),
        }
    }

    fn trace(&self, event: &Event) {
        Machine::current().note(Entry::Core(*event));
    }

    fn expects_processes(&self) -> bool {
        !Machine::current().state().arrivals.is_empty()
    }

    fn process_ended(&self, info: &ProcInfo, ending: &Ending) {
        let end = Machine::current().now();
        self.results
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(ProcResult {
                info: *info,
                ending: *ending,
                end,
            });
    }
}

//! The `arch-bench` harness: ldex-arch-x86_64 alone, without ldex-core's
//! protocol, to measure what the arch layer itself costs per system call.
//!
//! The trap table is installed with [`BareSink`] instead of the `Kernel`,
//! the first program of the initrd is entered directly
//! (`enter_process` + `return_to_user`), and every system call is answered
//! in a few lines: `getpid` is 1, `write` goes to the console after the same
//! page-table check the real kernel makes, `exit` ends the run. Anything else
//! ends the run with failure. Only `bench` uses it (`arch-bench.sh`), as
//! `bench-arch`, the name that makes it measure system calls only.

use core::cell::UnsafeCell;

use abi::{Call, Numbers};
use kernel_common::console::Console;
use kernel_common::initrd::SpawnError;
use kernel_common::one_program::{Loaded, OneProgram};
use ldex_arch_x86_64::{AddressSpace, ProcessState, TrapFrame, TrapTable, X86_64};
use ldex_core::arch::TrapSink;
use ldex_core::kstack::KernelStack;
use ldex_core::syscall::errno;
use ldex_core::{AccessKind, Arch, BootToken, TrapCause, TrapFrame as _, TrapTable as _};

use kernel_common::driver::ExitCode;

use crate::serial::{Serial, qemu_exit};
use crate::{kprint, loader, memory};

/// Answers system calls directly.
struct BareSink;

impl TrapSink<TrapFrame> for BareSink {
    fn trap(&self, frame: &mut TrapFrame, cause: TrapCause) {
        if cause != TrapCause::Syscall {
            kprint!("arch-bench: unexpected {cause} at {:#x}\n", frame.pc());
            qemu_exit(ExitCode::Panic);
        }
        let [a0, a1, a2, ..] = frame.syscall_args();
        let ret = match Numbers::X86_64.decode(frame.syscall_number()) {
            Some(Call::Getpid) => 1,
            Some(Call::Write) if a2 > 0 && memory::user_allows(a1, a2, AccessKind::Read) => {
                // SAFETY: checked against the current (the program's) page
                // tables just above.
                Serial.write_bytes(unsafe { core::slice::from_raw_parts(a1 as *const u8, a2) });
                a2
            }
            Some(Call::Exit | Call::ExitGroup) => qemu_exit(if a0 == 0 {
                ExitCode::Success
            } else {
                ExitCode::Panic
            }),
            _ => errno::ret(errno::ENOSYS),
        };
        frame.set_syscall_return(ret);
    }
}

/// The program to run: the first of the initrd.
static FIRST: OneProgram<AddressSpace> = OneProgram::new(None, "arch-bench runs one program");

fn keep_first(name: &str, entry: u64, sp: u64, space: AddressSpace) -> Result<(), SpawnError> {
    FIRST.keep(name, entry, sp, space)
}

struct Cells {
    kstack: UnsafeCell<KernelStack<16384>>,
    state: UnsafeCell<Option<ProcessState>>,
}
// SAFETY: touched once, by boot code, before the program runs.
unsafe impl Sync for Cells {}

static CELLS: Cells = Cells {
    kstack: UnsafeCell::new(KernelStack::new()),
    state: UnsafeCell::new(None),
};

/// Install the trap table with [`BareSink`] and run the first program of
/// `initrd`. Interrupts stay off: there is no timer.
pub fn run(token: &BootToken, initrd: &[u8]) -> ! {
    TrapTable::install(token, &BareSink);
    let mut builder = loader::Builder { spawn: keep_first };
    kernel_common::initrd::spawn_all(initrd, &loader::setup(), &mut builder, &Serial);
    let Some(Loaded { entry, sp, space }) = FIRST.take() else {
        kprint!("arch-bench: no program\n");
        qemu_exit(ExitCode::Panic)
    };
    let stack = CELLS.kstack.get();
    let frame = KernelStack::frame::<TrapFrame>(stack);
    // SAFETY: boot code owns the cells; the stack is static and 16-aligned,
    // the address space maps the kernel like the current one.
    unsafe {
        let state = (*CELLS.state.get()).insert(ProcessState::default());
        X86_64::enter_process(frame, Some(space), state);
        frame.write(TrapFrame::new_user(entry as usize, sp as usize));
        X86_64::return_to_user(frame)
    }
}

//! Calls every documented system call, through every gate of the arch
//! (`ecall`; x86_64 `syscall` and `int 0x80`), and checks each result,
//! including the errors: -EFAULT for kernel pointers and huge lengths,
//! -EBADF for an unknown fd, -EINVAL for an unknown clock, -ENOSYS for an
//! unknown number. One line per check; the last line is
//! `exerciser: all N checks passed` and the exit code 0, or the number of
//! failures.
#![no_std]
#![no_main]

use abi::errno::{EBADF, EFAULT, EINVAL, ENOSYS};
use abi::{Call, clock};
use user::println;
use user::sys::{self, Gate, check, nr};

user::entry!(main);

/// Addresses no user program owns: where the kernel lives.
#[cfg(any(target_arch = "riscv64", target_arch = "riscv32"))]
const KERNEL_ADDRS: [usize; 2] = [0x8020_0000, 0x8020_1000];
#[cfg(target_arch = "x86_64")]
const KERNEL_ADDRS: [usize; 2] = [0x10_0000, 0xffff_ffff_8000_0000];
#[cfg(target_arch = "aarch64")]
const KERNEL_ADDRS: [usize; 2] = [0x4020_0000, 0x4020_1000];

struct Checks {
    gate: Gate,
    passed: usize,
    failed: usize,
}

impl Checks {
    fn expect(&mut self, what: &str, got: sys::Result<usize>, want: sys::Result<usize>) {
        self.verdict(what, got == want, got, want);
    }

    fn verdict(&mut self, what: &str, ok: bool, got: sys::Result<usize>, want: sys::Result<usize>) {
        let gate = self.gate.name();
        if ok {
            self.passed += 1;
            println!("exerciser: [{gate}] {what}: ok");
        } else {
            self.failed += 1;
            println!("exerciser: [{gate}] {what}: FAILED (got {got:?}, want {want:?})");
        }
    }

    /// A raw call, for arguments the typed wrappers cannot express.
    fn raw(&self, call: Call, args: [usize; 6]) -> sys::Result<usize> {
        self.raw_nr(nr(call), args)
    }

    fn raw_nr(&self, number: usize, args: [usize; 6]) -> sys::Result<usize> {
        // SAFETY: every pointer passed is either valid for the call or one the
        // kernel must refuse; a kernel that wrote through it would be the bug
        // this program looks for.
        check(unsafe { self.gate.call(number, args) })
    }
}

fn main(_: user::Args) -> i32 {
    let pid = sys::getpid();
    let mut total = (0, 0);
    for &gate in Gate::ALL {
        let mut c = Checks {
            gate,
            passed: 0,
            failed: 0,
        };
        process_calls(&mut c, pid);
        write_calls(&mut c);
        clock_calls(&mut c);
        unknown_calls(&mut c);
        #[cfg(target_arch = "x86_64")]
        arch_calls(&mut c);
        total = (total.0 + c.passed, total.1 + c.failed);
    }
    match total {
        (passed, 0) => {
            println!("exerciser: all {passed} checks passed");
            0
        }
        (passed, failed) => {
            println!("exerciser: {failed} of {} checks FAILED", passed + failed);
            failed as i32
        }
    }
}

fn process_calls(c: &mut Checks, pid: usize) {
    c.expect(
        "getpid() is the same through every gate",
        Ok(c.gate.getpid()),
        Ok(pid),
    );
    c.expect("sched_yield() returns 0", c.gate.sched_yield(), Ok(0));
}

fn write_calls(c: &mut Checks) {
    let line = b"exerciser: (a line written by the check below)\n";
    let ptr = line.as_ptr() as usize;
    c.expect(
        "write(1, line) returns its length",
        c.gate.write(1, line),
        Ok(line.len()),
    );
    c.expect(
        "write(2, line) returns its length",
        c.gate.write(2, line),
        Ok(line.len()),
    );
    c.expect(
        "write(1, buf, 0) returns 0",
        c.raw(Call::Write, [1, ptr, 0, 0, 0, 0]),
        Ok(0),
    );
    c.expect("write(0, line) is EBADF", c.gate.write(0, line), Err(EBADF));
    c.expect("write(3, line) is EBADF", c.gate.write(3, line), Err(EBADF));
    for addr in KERNEL_ADDRS {
        let got = c.raw(Call::Write, [1, addr, 8, 0, 0, 0]);
        c.expect("write(1, kernel pointer, 8) is EFAULT", got, Err(EFAULT));
    }
    c.expect(
        "write(1, NULL, 8) is EFAULT",
        c.raw(Call::Write, [1, 0, 8, 0, 0, 0]),
        Err(EFAULT),
    );
    let huge = usize::MAX / 2;
    c.expect(
        "write(1, buf, huge) is EFAULT",
        c.raw(Call::Write, [1, ptr, huge, 0, 0, 0]),
        Err(EFAULT),
    );
    let wrap = c.raw(Call::Write, [1, ptr, usize::MAX, 0, 0, 0]);
    c.expect(
        "write(1, buf, wrapping length) is EFAULT",
        wrap,
        Err(EFAULT),
    );
}

fn clock_calls(c: &mut Checks) {
    let first = c.gate.clock_monotonic();
    let sane = matches!(first, Ok(ts) if ts.sec >= 0 && (0..1_000_000_000).contains(&ts.nsec));
    c.verdict(
        "clock_gettime(MONOTONIC) fills a valid timespec",
        sane,
        first.map(|_| 0),
        Ok(0),
    );
    let second = c.gate.clock_monotonic();
    let later = matches!((first, second), (Ok(a), Ok(b)) if (b.sec, b.nsec) >= (a.sec, a.nsec));
    c.verdict(
        "clock_gettime(MONOTONIC) does not go back",
        later,
        second.map(|_| 0),
        Ok(0),
    );
    for addr in KERNEL_ADDRS {
        let got = c.raw(
            Call::ClockGettime,
            [clock::CLOCK_MONOTONIC, addr, 0, 0, 0, 0],
        );
        c.expect(
            "clock_gettime(MONOTONIC, kernel pointer) is EFAULT",
            got,
            Err(EFAULT),
        );
    }
    let mut ts = sys::Timespec::default();
    let got = c.raw(
        Call::ClockGettime,
        [12345, &raw mut ts as usize, 0, 0, 0, 0],
    );
    c.expect("clock_gettime(unknown clock) is EINVAL", got, Err(EINVAL));
}

fn unknown_calls(c: &mut Checks) {
    c.expect("syscall 999 is ENOSYS", c.raw_nr(999, [0; 6]), Err(ENOSYS));
    c.expect(
        "syscall usize::MAX is ENOSYS",
        c.raw_nr(usize::MAX, [0; 6]),
        Err(ENOSYS),
    );
}

#[cfg(target_arch = "x86_64")]
fn arch_calls(c: &mut Checks) {
    use abi::errno::EPERM;

    let block: [usize; 2] = [0x5eed_f00d, 0];
    c.expect(
        "arch_prctl(ARCH_SET_FS, &block) returns 0",
        c.gate.set_fs_base(block.as_ptr() as usize),
        Ok(0),
    );
    let through_fs: usize;
    // SAFETY: FS now points at `block`, which is alive and readable.
    unsafe {
        core::arch::asm!("mov {}, qword ptr fs:[0]", out(reg) through_fs, options(nostack, readonly))
    };
    c.expect(
        "a load through fs:0 reads the block",
        Ok(through_fs),
        Ok(block[0]),
    );
    let kernel = c.gate.set_fs_base(KERNEL_ADDRS[1]);
    c.expect(
        "arch_prctl(ARCH_SET_FS, kernel address) is EPERM",
        kernel,
        Err(EPERM),
    );
    let got = c.raw(Call::ArchPrctl, [0x1099, 0, 0, 0, 0, 0]);
    c.expect("arch_prctl(unknown code) is EINVAL", got, Err(EINVAL));
}

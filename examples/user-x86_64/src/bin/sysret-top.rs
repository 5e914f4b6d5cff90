//! Hostile: the SYSRET hazard (CVE-2012-0217). Maps the top page of the
//! user half, puts `syscall` in its last two bytes and jumps there, so the
//! system call's return address is 0x8000_0000_0000, the first
//! non-canonical one. On Intel CPUs `sysretq` to it raises #GP in ring 0
//! with the user's rsp (and GS) already loaded.
//!
//! Expects: on the default kernel, the page cannot be mapped (`ENOMEM`, as
//! on Linux, whose user half also ends a page early); on the
//! `sysret-hazard-test` build, which lets it be mapped, killed: memory
//! fault (user execute at 0x800000000000), through `iretq`.
#![no_std]
#![no_main]

use abi::Call;
use abi::mman::{MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, PROT_EXEC, PROT_READ, PROT_WRITE};
use user::sys::{Gate, check, nr};

user::entry!(main);

/// The last page below the non-canonical hole.
const TOP_PAGE: usize = 0x7fff_ffff_f000;
/// Where `syscall` (0f 05) goes: its return address is the page's end.
const SYSCALL_AT: usize = TOP_PAGE + 4096 - 2;

fn main(_: user::Args) -> i32 {
    let flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
    let args = [TOP_PAGE, 4096, PROT_READ | PROT_WRITE, flags, usize::MAX, 0];
    // SAFETY: an anonymous mapping at an address this program does not use.
    if let Err(e) = check(unsafe { Gate::NATIVE.call(nr(Call::Mmap), args) }) {
        user::println!("sysret-top: the top user page cannot be mapped (errno {e})");
        return 0;
    }
    // SAFETY: the page was just mapped writable.
    unsafe { core::ptr::write_volatile(SYSCALL_AT as *mut [u8; 2], [0x0f, 0x05]) };
    let args = [TOP_PAGE, 4096, PROT_READ | PROT_EXEC, 0, 0, 0];
    // SAFETY: only changes the rights of the page mapped above.
    if check(unsafe { Gate::NATIVE.call(nr(Call::Mprotect), args) }).is_err() {
        user::println!("sysret-top: mprotect of the top user page failed");
        return 1;
    }
    user::println!("sysret-top: syscall from the last two bytes of the user half");
    // SAFETY: this program exists to do exactly this; the kernel must end it
    // when the system call returns to the non-canonical address.
    unsafe {
        core::arch::asm!(
            "jmp {at}",
            at = in(reg) SYSCALL_AT,
            in("rax") nr(Call::Getpid),
            options(noreturn),
        )
    }
}

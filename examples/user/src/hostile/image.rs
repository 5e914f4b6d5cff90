//! Attacks on the kernel image: each must end in a memory fault at an
//! address in the kernel (`K` is [`KERNEL`]), while the kernel and every
//! other process carry on.

use abi::Call;

pub use super::arch::KERNEL;

/// Load from the kernel image; the kernel must kill the program (a user
/// read at K). Returns 1 if it survives.
pub fn kread(_: crate::Args) -> i32 {
    crate::println!("kread: reading kernel memory");
    // SAFETY: the kernel kills us here; nothing after runs.
    let v = unsafe { core::ptr::read_volatile(KERNEL as *const usize) };
    crate::println!("kread: read {v:#x}");
    1
}

/// Store to the kernel image; the kernel must kill the program (a user
/// write at K). Returns 1 if it survives.
pub fn kwrite(_: crate::Args) -> i32 {
    store_to_kernel("kwrite: writing kernel memory")
}

/// [`kwrite`] under another name, which the QEMU test boots many times in
/// a row: each time a user write at K.
pub fn fault_repeat(_: crate::Args) -> i32 {
    store_to_kernel("fault-repeat: writing kernel memory (again)")
}

fn store_to_kernel(says: &str) -> i32 {
    crate::println!("{says}");
    // SAFETY: the kernel kills us here; nothing after runs.
    unsafe { core::ptr::write_volatile(KERNEL as *mut usize, 0) };
    1
}

/// Jump into the kernel image; the kernel must kill the program at the
/// target (a user execute at K).
pub fn kjump(_: crate::Args) -> i32 {
    crate::println!("kjump: jumping into kernel memory");
    // SAFETY: the kernel kills us at the jump target; nothing after runs.
    unsafe { super::arch::jump(KERNEL) }
}

/// Point the stack pointer into the kernel image, make a system call
/// (`getpid`: the kernel must not use the user stack pointer), then push;
/// the push must be killed (a user write at K + 1 MiB - 16).
pub fn ksp_syscall(_: crate::Args) -> i32 {
    crate::println!("ksp-syscall: system call with sp in the kernel");
    // SAFETY: the push after the system call faults; nothing after runs.
    unsafe { super::arch::syscall_then_push(KERNEL + 0x10_0000, crate::sys::nr(Call::Getpid)) }
}

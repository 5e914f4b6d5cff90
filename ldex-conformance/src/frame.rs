//! The trap frame's protocol accessors, checked against the registers the
//! backend says they name. Pure data: runs anywhere.

use ldex_core::arch::TrapFrame as _;

use crate::{Backend, Frame, Outcome, Registers, expect, pattern};

/// `TrapFrame::new_user(entry, sp)`: return-from-trap would start user mode
/// at `entry` with that stack pointer and every other register zero.
pub fn new_user_frame_starts_user_mode_at_entry<B: Backend>() -> Outcome {
    const CHECK: &str = "new_user_frame_starts_user_mode_at_entry";
    let (entry, sp) = (0x1234_5670, 0x7654_3210);
    let frame = Frame::<B>::new_user(entry, sp);
    expect(CHECK, "pc", entry, frame.pc())?;
    expect(CHECK, "from_user", 1, usize::from(frame.from_user()))?;
    let sp_index = B::STACK_POINTER;
    Registers::of::<B>(&frame).expect::<B>(CHECK, "register", &[], |i| {
        if i == sp_index { sp } else { 0 }
    })
}

/// The system call number and arguments are read from the ABI's registers,
/// and setting the result writes its register and no other.
pub fn syscall_accessors_use_the_abi_registers<B: Backend>() -> Outcome {
    const CHECK: &str = "syscall_accessors_use_the_abi_registers";
    const SEED: usize = 0x600d_f00d;
    let mut frame = Frame::<B>::new_user(0x1000, 0x2000);
    for i in 0..B::REGISTERS.len() {
        B::set_register(&mut frame, i, pattern(SEED, i));
    }
    expect(
        CHECK,
        "syscall_number",
        pattern(SEED, B::SYSCALL_NUMBER),
        frame.syscall_number(),
    )?;
    let args = frame.syscall_args();
    for (arg, index) in args.into_iter().zip(B::SYSCALL_ARGS) {
        expect(CHECK, "syscall_args", pattern(SEED, index), arg)?;
    }
    let result = 0xdead_beef;
    frame.set_syscall_return(result);
    let returned = B::SYSCALL_RETURN;
    Registers::of::<B>(&frame).expect::<B>(CHECK, "after set_syscall_return", &[], |i| {
        if i == returned {
            result
        } else {
            pattern(SEED, i)
        }
    })?;
    expect(CHECK, "pc after set_syscall_return", 0x1000, frame.pc())
}

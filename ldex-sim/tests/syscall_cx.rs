//! `SyscallCx` reads the system call number and arguments from the saved
//! frame, and refuses an argument the ABI does not have.

use ldex_core::Pid;
use ldex_core::syscall::SyscallCx;
use ldex_sim::arch::{SimArch, SimFrame};

fn frame() -> SimFrame {
    SimFrame {
        nr: 39,
        a: [10, 11, 12, 13, 14, 15],
        ..SimFrame::default()
    }
}

#[test]
fn the_number_and_the_six_arguments_come_from_the_frame() {
    let frame = frame();
    let mut state = ();
    let cx = SyscallCx::<SimArch>::new(Pid::new(1).unwrap(), &frame, &mut state, 0);
    assert_eq!(cx.nr(), 39);
    assert_eq!((0..6).map(|n| cx.arg(n)).collect::<Vec<_>>(), frame.a);
    assert_eq!(cx.args(), frame.a);
}

#[test]
#[should_panic(expected = "index out of bounds")]
fn a_seventh_argument_panics() {
    let frame = frame();
    let mut state = ();
    let cx = SyscallCx::<SimArch>::new(Pid::new(1).unwrap(), &frame, &mut state, 0);
    let _ = cx.arg(6);
}

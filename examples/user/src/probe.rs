//! Hostile programs that each run one instruction which stores what it
//! reveals into memory (UMIP's `sgdt`, `sidt`, `sldt`, `smsw`, `str` on
//! x86_64): a program built from [`leak_probe!`](crate::leak_probe) prints
//! what it learned and exits 1 if it survives, so its expected ending is a
//! kill before that line.

/// The whole program: `main` runs `$insn` (an asm template whose `{out}` is
/// the address of a 16-byte buffer; the instruction stores at most 10
/// bytes there) and, if still alive, prints `$name: ring 3 learned $what`
/// with the bytes, and returns 1.
#[macro_export]
macro_rules! leak_probe {
    ($name:literal, $insn:literal, $what:literal) => {
        $crate::entry!(main);

        fn main(_: $crate::Args) -> i32 {
            let mut out = [0u64; 2];
            // SAFETY: this program exists to run this instruction in user
            // mode, where the kernel must stop it; it stores at most 10
            // bytes into `out`.
            unsafe {
                core::arch::asm!($insn, out = in(reg) out.as_mut_ptr(), options(nostack));
            }
            $crate::println!(
                concat!($name, ": ring 3 learned ", $what, ": {:#x} {:#x}"),
                out[0],
                out[1]
            );
            1
        }
    };
}

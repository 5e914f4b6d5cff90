//! Reading and writing the system registers this crate uses, by name.
//!
//! One macro per instruction, so the disassembly reads like the Arm ARM.
//! Reading has no side effect, so `read!` is safe. Writing expands to the
//! bare `asm!`, so every call site needs its own `unsafe` block and its own
//! `// SAFETY:` reason: a system register write can move the trap table,
//! the address space or the interrupt mask under the code around it. A
//! write that must be seen by the next instruction is followed by `isb` at
//! the call site.

/// `mrs` a system register by name.
macro_rules! read {
    ($reg:literal) => {{
        let v: u64;
        // SAFETY: reading a system register of EL1 or EL0 has no side effect.
        unsafe { core::arch::asm!(concat!("mrs {0}, ", $reg), out(reg) v, options(nomem, nostack)) };
        v
    }};
}

/// `msr` a system register by name. Unsafe: use inside an `unsafe` block.
macro_rules! write {
    ($reg:literal, $v:expr) => {{
        let v: u64 = $v;
        core::arch::asm!(concat!("msr ", $reg, ", {0}"), in(reg) v, options(nostack))
    }};
}

pub(crate) use {read, write};

//! Reading and writing the supervisor CSRs this crate uses.
//!
//! One macro per CSR instruction; the CSR is named by its assembler name so
//! the disassembly reads like the spec. `stimecmp` is named by number
//! (0x14d) because assemblers without Sstc do not know the name.
//!
//! Reading has no side effect, so `read!` is safe. Writing, setting and
//! clearing expand to the bare `asm!`, so every call site needs its own
//! `unsafe` block and its own `// SAFETY:` reason: a CSR write can move the
//! trap vector, the address space or the interrupt flag under the code
//! around it.

/// `csrr` a CSR by name.
macro_rules! read {
    ($csr:literal) => {{
        let v: usize;
        // SAFETY: reading a supervisor CSR has no side effect.
        unsafe { core::arch::asm!(concat!("csrr {0}, ", $csr), out(reg) v, options(nomem, nostack)) };
        v
    }};
}

/// `csrw` a CSR by name. Unsafe: use inside an `unsafe` block.
macro_rules! write {
    ($csr:literal, $v:expr) => {{
        let v: usize = $v;
        core::arch::asm!(concat!("csrw ", $csr, ", {0}"), in(reg) v, options(nostack))
    }};
}

/// `csrs` (set bits) a CSR by name. Unsafe: use inside an `unsafe` block.
macro_rules! set {
    ($csr:literal, $v:expr) => {{
        let v: usize = $v;
        core::arch::asm!(concat!("csrs ", $csr, ", {0}"), in(reg) v, options(nostack))
    }};
}

/// `csrc` (clear bits) a CSR by name. Unsafe: use inside an `unsafe`
/// block.
macro_rules! clear {
    ($csr:literal, $v:expr) => {{
        let v: usize = $v;
        core::arch::asm!(concat!("csrc ", $csr, ", {0}"), in(reg) v, options(nostack))
    }};
}

pub(crate) use {clear, read, set, write};

/// `sie.STIE`: the supervisor timer interrupt is enabled.
pub const SIE_STIE: usize = 1 << 5;

/// `sie.SSIE` / `sip.SSIP`: the supervisor software interrupt, the IPI.
pub const SIP_SSIP: usize = 1 << 1;

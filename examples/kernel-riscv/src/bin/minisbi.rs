//! minisbi: the smallest M-mode firmware that boots kernel-riscv on
//! `qemu-system-riscv32 -machine virt`.
//!
//! Debian's QEMU 7.2 ships OpenSBI for riscv64 only, so `-bios default`
//! cannot start an rv32 machine there. This firmware does the part of
//! OpenSBI's fw_dynamic the kernel relies on, and nothing else:
//!
//! 1. QEMU's reset code enters `_start` in M-mode with `a0` = hart id,
//!    `a1` = device tree, `a2` = `struct fw_dynamic_info`, whose third word
//!    is the kernel's entry (`next_addr`).
//! 2. PMP entry 0 gives S- and U-mode all of memory (the kernel's page
//!    tables do the protecting), every exception but the `ecall`s and every
//!    supervisor interrupt are delegated to S-mode, the counters are
//!    readable, and `menvcfgh.STCE` lets S-mode use `stimecmp` (Sstc).
//! 3. `mret` into S-mode at `next_addr`, with `a0`/`a1` untouched.
//!
//! S-mode `ecall`s reach `trap`: SBI TIME `set_timer` (and legacy call 0)
//! is served with the CLINT's `mtimecmp` and forwarded as STIP, the classic
//! way, so the kernel's non-Sstc path can be tested with `-cpu rv32,sstc=off`;
//! every other call returns `SBI_ERR_NOT_SUPPORTED`. Any other trap into
//! M-mode powers off through the SiFive test device with status 0x5b1.
//!
//! Run: `qemu-system-riscv32 -machine virt -bios minisbi -kernel kernel-riscv`.
#![cfg_attr(target_os = "none", no_std, no_main)]

#[cfg(not(target_os = "none"))]
fn main() {
    eprintln!("minisbi is M-mode firmware: build it for riscv32imac-unknown-none-elf");
}

#[cfg(target_os = "none")]
mod firmware {
    /// `mtimecmp` of hart 0 in the CLINT (ACLINT MTIMER) of QEMU virt.
    const MTIMECMP: usize = 0x200_4000;
    /// The SiFive test device.
    const TEST_DEVICE: usize = 0x10_0000;
    /// Exceptions S-mode handles: all but ecall from S (9) and M (11).
    const MEDELEG: usize = 0xb1ff;
    /// Interrupts S-mode handles: SSIP, STIP, SEIP.
    const MIDELEG: usize = 0x222;
    const MIP_STIP: usize = 1 << 5;
    const MIE_MTIE: usize = 1 << 7;
    const MSTATUS_MPP: usize = 3 << 11;
    const MPP_S: usize = 1 << 11;
    /// `menvcfgh.STCE` (bit 63 of menvcfg).
    const STCE_HI: usize = 1 << 31;
    /// PMP entry 0: NAPOT over everything, R|W|X.
    const PMP_NAPOT_RWX: usize = 0x1f;
    const EID_TIME: usize = 0x5449_4d45;
    const SBI_ERR_NOT_SUPPORTED: isize = -2;

    core::arch::global_asm!(
        ".pushsection .text.boot, \"ax\"",
        ".globl _start",
        "_start:",
        "    la sp, __stack_top",
        "    csrw mscratch, sp",
        "    la t0, {trap}",
        "    csrw mtvec, t0",
        "    li t0, -1",
        "    csrw pmpaddr0, t0",
        "    li t0, {pmp}",
        "    csrw pmpcfg0, t0",
        "    li t0, {medeleg}",
        "    csrw medeleg, t0",
        "    li t0, {mideleg}",
        "    csrw mideleg, t0",
        "    li t0, -1",
        "    csrw mcounteren, t0",
        "    li t0, {stce}",
        "    csrs 0x31a, t0",
        "    li t0, {mpp}",
        "    csrc mstatus, t0",
        "    li t0, {mpp_s}",
        "    csrs mstatus, t0",
        "    lw t0, 8(a2)",
        "    csrw mepc, t0",
        "    mret",
        ".popsection",
        trap = sym trap,
        pmp = const PMP_NAPOT_RWX,
        medeleg = const MEDELEG,
        mideleg = const MIDELEG,
        stce = const STCE_HI,
        mpp = const MSTATUS_MPP,
        mpp_s = const MPP_S,
    );

    /// The M-mode trap handler. Runs on its own stack (`mscratch`); saves
    /// the three registers it uses.
    ///
    /// * M timer interrupt: raise STIP for S-mode, mask MTIE until the next
    ///   `set_timer`.
    /// * `ecall` from S with a7 = TIME (or legacy 0): `mtimecmp` = a0 (+ a1
    ///   high half on rv32), clear STIP, unmask MTIE, return 0.
    /// * other `ecall`s from S: return `SBI_ERR_NOT_SUPPORTED`.
    /// * anything else: power off, status 0x5b1.
    #[unsafe(naked)]
    #[unsafe(link_section = ".text.trap")]
    extern "C" fn trap() -> ! {
        core::arch::naked_asm!(
            ".p2align 2",
            "    csrrw sp, mscratch, sp",
            "    addi sp, sp, -16",
            "    sw t0, 0(sp)",
            "    sw t1, 4(sp)",
            "    sw t2, 8(sp)",
            "    csrr t0, mcause",
            "    bgez t0, 1f",
            // Interrupt: only MTI is enabled.
            "    li t0, {stip}",
            "    csrs mip, t0",
            "    li t0, {mtie}",
            "    csrc mie, t0",
            "    j 9f",
            "1:  li t1, 9",
            "    bne t0, t1, 8f",
            "    csrr t0, mepc",
            "    addi t0, t0, 4",
            "    csrw mepc, t0",
            "    beqz a7, 2f",
            "    li t1, {eid_time}",
            "    beq a7, t1, 2f",
            "    li a0, {unsupported}",
            "    li a1, 0",
            "    j 9f",
            "2:  li t0, {mtimecmp}",
            "    li t1, -1",
            "    sw t1, 4(t0)",
            "    sw a0, 0(t0)",
            "    sw a1, 4(t0)",
            "    li t0, {stip}",
            "    csrc mip, t0",
            "    li t0, {mtie}",
            "    csrs mie, t0",
            "    li a0, 0",
            "    li a1, 0",
            "9:  lw t0, 0(sp)",
            "    lw t1, 4(sp)",
            "    lw t2, 8(sp)",
            "    addi sp, sp, 16",
            "    csrrw sp, mscratch, sp",
            "    mret",
            "8:  li t0, {test}",
            "    li t1, 0x5b13333",
            "    sw t1, 0(t0)",
            "7:  j 7b",
            stip = const MIP_STIP,
            mtie = const MIE_MTIE,
            eid_time = const EID_TIME,
            unsupported = const SBI_ERR_NOT_SUPPORTED,
            mtimecmp = const MTIMECMP,
            test = const TEST_DEVICE,
        )
    }

    #[panic_handler]
    fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
        loop {}
    }
}

//! minisbi: the smallest M-mode firmware that boots kernel-riscv on
//! `qemu-system-riscv32 -machine virt`.
//!
//! Debian's QEMU 7.2 ships OpenSBI for riscv64 only, so `-bios default`
//! cannot start an rv32 machine there. This firmware does the part of
//! OpenSBI's fw_dynamic the kernel relies on, and nothing else:
//!
//! 1. QEMU's reset code enters `_start` in M-mode on every hart with `a0` =
//!    hart id, `a1` = device tree, `a2` = `struct fw_dynamic_info`, whose
//!    third word is the kernel's entry (`next_addr`). Each hart takes its
//!    own M-mode stack (1 KiB, below `__stack_top` by its hart id).
//! 2. PMP entry 0 gives S- and U-mode all of memory (the kernel's page
//!    tables do the protecting), every exception but the `ecall`s and every
//!    supervisor interrupt are delegated to S-mode, the counters are
//!    readable, `menvcfgh.STCE` lets S-mode use `stimecmp` (Sstc), and the
//!    machine software interrupt (the CLINT's `msip`, how harts poke each
//!    other) is enabled.
//! 3. Hart 0 `mret`s into S-mode at `next_addr`, with `a0`/`a1` untouched.
//!    Every other hart waits (`wfi`) in M-mode, as SBI HSM's "stopped",
//!    until a `hart_start` names it.
//!
//! S-mode `ecall`s reach `trap`, which serves three calls of the SBI spec:
//!
//! * TIME `set_timer` (and legacy call 0), with the calling hart's CLINT
//!   `mtimecmp`, forwarded as STIP, the classic way, so the kernel's
//!   non-Sstc path can be tested with `-cpu rv32,sstc=off`;
//! * HSM `hart_start(hart, addr, opaque)`: the target's mailbox (`START`)
//!   gets `opaque` and then `addr`, and its `msip` wakes it; it `mret`s to
//!   `addr` in S-mode with `a0` = its hart id and `a1` = `opaque`;
//! * IPI `send_ipi(mask, base)`: `msip` of every hart named; the target's
//!   machine software interrupt clears its `msip` and raises SSIP, which the
//!   kernel takes as its IPI.
//!
//! Every other call returns `SBI_ERR_NOT_SUPPORTED`. Any other trap into
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
    /// `mtimecmp` of hart 0 in the CLINT (ACLINT MTIMER) of QEMU virt; hart
    /// `h`'s is 8 bytes further per hart.
    const MTIMECMP: usize = 0x200_4000;
    /// `msip` of hart 0 in the CLINT (ACLINT MSWI); hart `h`'s is 4 bytes
    /// further per hart.
    const MSIP: usize = 0x200_0000;
    /// The SiFive test device.
    const TEST_DEVICE: usize = 0x10_0000;
    /// The harts this firmware serves (QEMU virt's `-smp` limit is 8 here).
    const HARTS: usize = 8;
    /// Bytes of each hart's M-mode stack (`log2`).
    const STACK_SHIFT: usize = 10;
    /// Exceptions S-mode handles: all but ecall from S (9) and M (11).
    const MEDELEG: usize = 0xb1ff;
    /// Interrupts S-mode handles: SSIP, STIP, SEIP.
    const MIDELEG: usize = 0x222;
    const MIP_SSIP: usize = 1 << 1;
    const MIP_STIP: usize = 1 << 5;
    const MIE_MSIE: usize = 1 << 3;
    const MIE_MTIE: usize = 1 << 7;
    const MCAUSE_MSI: usize = (1 << 31) | 3;
    const MSTATUS_MPP: usize = 3 << 11;
    const MPP_S: usize = 1 << 11;
    /// `menvcfgh.STCE` (bit 63 of menvcfg).
    const STCE_HI: usize = 1 << 31;
    /// PMP entry 0: NAPOT over everything, R|W|X.
    const PMP_NAPOT_RWX: usize = 0x1f;
    const EID_TIME: usize = 0x5449_4d45;
    const EID_HSM: usize = 0x48_534d;
    const EID_SPI: usize = 0x73_5049;
    const SBI_ERR_NOT_SUPPORTED: isize = -2;
    const SBI_ERR_INVALID_PARAM: isize = -3;

    /// Each hart's start mailbox: `[addr, opaque]`; `addr` nonzero means
    /// "go". Written by `hart_start` on another hart, read by the target.
    /// In `.data`: the loader writes its zeros, whatever RAM held.
    #[unsafe(no_mangle)]
    #[unsafe(link_section = ".data")]
    static mut START: [[usize; 2]; HARTS] = [[0; 2]; HARTS];

    core::arch::global_asm!(
        ".pushsection .text.boot, \"ax\"",
        ".globl _start",
        "_start:",
        "    la sp, __stack_top",
        "    slli t0, a0, {stack_shift}",
        "    sub sp, sp, t0",
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
        "    li t0, {msie}",
        "    csrs mie, t0",
        "    bnez a0, 2f",
        "    lw t0, 8(a2)",
        "    csrw mepc, t0",
        "    mret",
        // Not hart 0: stopped until hart_start fills the mailbox. wfi
        // wakes on the msip the caller raises (MIE is 0: no trap is taken).
        "2:  la t1, START",
        "    slli t0, a0, 3",
        "    add t1, t1, t0",
        "    li t2, {msip}",
        "    slli t0, a0, 2",
        "    add t2, t2, t0",
        "3:  wfi",
        "    lw t0, 0(t1)",
        "    beqz t0, 3b",
        // addr was written after opaque: read them in that order.
        "    fence r, r",
        "    sw zero, 0(t2)",
        "    csrw mepc, t0",
        "    lw a1, 4(t1)",
        "    mret",
        ".popsection",
        trap = sym trap,
        stack_shift = const STACK_SHIFT,
        pmp = const PMP_NAPOT_RWX,
        medeleg = const MEDELEG,
        mideleg = const MIDELEG,
        stce = const STCE_HI,
        mpp = const MSTATUS_MPP,
        mpp_s = const MPP_S,
        msie = const MIE_MSIE,
        msip = const MSIP,
    );

    /// The M-mode trap handler. Runs on its hart's own stack (`mscratch`);
    /// saves the four registers it uses.
    ///
    /// * M timer interrupt: raise STIP for S-mode, mask MTIE until the next
    ///   `set_timer`.
    /// * M software interrupt (an IPI): clear this hart's `msip`, raise SSIP.
    /// * `ecall` from S with a7 = TIME (or legacy 0): this hart's `mtimecmp`
    ///   = a0 (+ a1 high half), clear STIP, unmask MTIE, return 0.
    /// * a7 = HSM, `hart_start`: hart a0's mailbox = (a1, a2), its `msip`
    ///   raised; return 0 (invalid parameter for a hart beyond [`HARTS`]).
    /// * a7 = IPI, `send_ipi`: `msip` of hart a1 + i for each bit i of a0.
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
            "    sw t3, 12(sp)",
            "    csrr t0, mcause",
            "    bgez t0, 1f",
            "    li t1, {mcause_msi}",
            "    beq t0, t1, 5f",
            // Otherwise the timer: only MTI and MSI are enabled.
            "    li t0, {stip}",
            "    csrs mip, t0",
            "    li t0, {mtie}",
            "    csrc mie, t0",
            "    j 9f",
            // An IPI: retire it here, hand it to S-mode.
            "5:  csrr t0, mhartid",
            "    slli t0, t0, 2",
            "    li t1, {msip}",
            "    add t1, t1, t0",
            "    sw zero, 0(t1)",
            "    li t0, {ssip}",
            "    csrs mip, t0",
            "    j 9f",
            "1:  li t1, 9",
            "    bne t0, t1, 8f",
            "    csrr t0, mepc",
            "    addi t0, t0, 4",
            "    csrw mepc, t0",
            "    beqz a7, 2f",
            "    li t1, {eid_time}",
            "    beq a7, t1, 2f",
            "    li t1, {eid_hsm}",
            "    beq a7, t1, 3f",
            "    li t1, {eid_spi}",
            "    beq a7, t1, 4f",
            "6:  li a0, {unsupported}",
            "    li a1, 0",
            "    j 9f",
            // set_timer on this hart's mtimecmp.
            "2:  csrr t1, mhartid",
            "    slli t1, t1, 3",
            "    li t0, {mtimecmp}",
            "    add t0, t0, t1",
            "    li t1, -1",
            "    sw t1, 4(t0)",
            "    sw a0, 0(t0)",
            "    sw a1, 4(t0)",
            "    li t0, {stip}",
            "    csrc mip, t0",
            "    li t0, {mtie}",
            "    csrs mie, t0",
            "    j 7f",
            // hart_start (function 0 only): fill the mailbox, then poke.
            "3:  bnez a6, 6b",
            "    li t0, {harts}",
            "    bgeu a0, t0, 10f",
            "    la t0, START",
            "    slli t1, a0, 3",
            "    add t0, t0, t1",
            "    sw a2, 4(t0)",
            "    fence w, w",
            "    sw a1, 0(t0)",
            "    fence w, w",
            "    li t0, {msip}",
            "    slli t1, a0, 2",
            "    add t0, t0, t1",
            "    li t1, 1",
            "    sw t1, 0(t0)",
            "    j 7f",
            // send_ipi (function 0 only): msip of every hart in the mask.
            "4:  bnez a6, 6b",
            "    li t0, {msip}",
            "    slli t1, a1, 2",
            "    add t0, t0, t1",
            "    mv t2, a0",
            "    li t3, 1",
            "11: beqz t2, 7f",
            "    andi t1, t2, 1",
            "    beqz t1, 12f",
            "    sw t3, 0(t0)",
            "12: srli t2, t2, 1",
            "    addi t0, t0, 4",
            "    j 11b",
            "10: li a0, {invalid}",
            "    li a1, 0",
            "    j 9f",
            "7:  li a0, 0",
            "    li a1, 0",
            "9:  lw t0, 0(sp)",
            "    lw t1, 4(sp)",
            "    lw t2, 8(sp)",
            "    lw t3, 12(sp)",
            "    addi sp, sp, 16",
            "    csrrw sp, mscratch, sp",
            "    mret",
            "8:  li t0, {test}",
            "    li t1, 0x5b13333",
            "    sw t1, 0(t0)",
            "13: j 13b",
            stip = const MIP_STIP,
            ssip = const MIP_SSIP,
            mtie = const MIE_MTIE,
            mcause_msi = const MCAUSE_MSI,
            eid_time = const EID_TIME,
            eid_hsm = const EID_HSM,
            eid_spi = const EID_SPI,
            unsupported = const SBI_ERR_NOT_SUPPORTED,
            invalid = const SBI_ERR_INVALID_PARAM,
            harts = const HARTS,
            mtimecmp = const MTIMECMP,
            msip = const MSIP,
            test = const TEST_DEVICE,
        )
    }

    #[panic_handler]
    fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
        loop {}
    }
}

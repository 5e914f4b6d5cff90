//! Link the kernel at 0x80200000, where OpenSBI jumps to (`link.ld`), and
//! the rv32 firmware at 0x80000000, where QEMU's `-bios` goes (`minisbi.ld`).
fn main() {
    let dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    if arch.starts_with("riscv") {
        println!("cargo:rustc-link-arg-bin=kernel-riscv=-T{dir}/link.ld");
        println!("cargo:rustc-link-arg-bin=minisbi=-T{dir}/minisbi.ld");
    }
    println!("cargo:rerun-if-changed=link.ld");
    println!("cargo:rerun-if-changed=minisbi.ld");
}

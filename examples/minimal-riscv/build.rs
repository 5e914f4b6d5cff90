//! Link the kernel with its script (load address 0x80200000, where OpenSBI
//! jumps to).
fn main() {
    let dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    println!("cargo:rerun-if-changed=link.ld");
    if std::env::var("CARGO_CFG_TARGET_ARCH").is_ok_and(|a| a.starts_with("riscv")) {
        println!("cargo:rustc-link-arg-bins=-T{dir}/link.ld");
    }
}

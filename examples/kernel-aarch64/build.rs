//! Link the kernel at 0x40200000, where QEMU loads an arm64 Image whose
//! header asks for text offset 0 (`link.ld`).
fn main() {
    let dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    if arch == "aarch64" {
        println!("cargo:rustc-link-arg-bin=kernel-aarch64=-T{dir}/link.ld");
    }
    println!("cargo:rerun-if-changed=link.ld");
}

//! Link the user programs as static, non-PIE executables at the address the
//! GNU toolchain would use, so they look like `gcc -static` output:
//! riscv64/riscv32 at 0x10000, x86_64 and aarch64 at 0x400000. (PIE is switched off for
//! x86_64-unknown-none by `examples/.cargo/config.toml`; the RISC-V none
//! targets are static already.)
//!
//! Crates with more user programs reuse this file: `build = "../user/build.rs"`.

fn main() {
    let target = std::env::var("TARGET").unwrap_or_default();
    let base = if target.starts_with("x86_64") || target.starts_with("aarch64") {
        "0x400000"
    } else if target.starts_with("riscv") {
        "0x10000"
    } else {
        return; // a host build (say, `cargo doc`): leave the defaults
    };
    for arg in [
        &format!("--image-base={base}"),
        "-zmax-page-size=4096",
        "--no-pie",
        "-static",
    ] {
        println!("cargo:rustc-link-arg-bins={arg}");
    }
    println!("cargo:rerun-if-changed={}", file!());
}

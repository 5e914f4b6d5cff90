//! Link every program where GNU ld puts a static executable: 0x400000.
fn main() {
    println!("cargo:rustc-link-arg-bins=--image-base=0x400000");
}

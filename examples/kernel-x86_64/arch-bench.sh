#!/bin/sh
# Exact guest instruction counts of ldex-arch-x86_64 alone: the kernel's
# `arch-bench` build (src/arch_bench.rs: the trap table with a minimal sink,
# no protocol) runs `bench` as `bench-arch` under -icount shift=0,sleep=off,
# where the TSC counts instructions, and prints the syscall and int 0x80
# round trips. The end-to-end figures: `cargo xtask bench-qemu x86_64`.
#
#   examples/kernel-x86_64/arch-bench.sh
set -eu
ex=$(cd "$(dirname "$0")/.." && pwd)
cd "$ex"
cargo build --quiet --release --target x86_64-unknown-none -p user-x86_64
cargo build --quiet --release --target x86_64-unknown-none -p kernel-x86_64 \
    --features arch-bench --target-dir "$ex/target/arch-bench"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$ex/target/x86_64-unknown-none/release/bench" "$work/bench-arch"
(cd "$work" && echo bench-arch | cpio -o -H newc --quiet > initrd.cpio)
status=0
timeout 300 qemu-system-x86_64 -cpu "${QEMU_CPU:-max}" -m 128M -display none -serial stdio \
    -no-reboot -icount shift=0,sleep=off -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
    -kernel "$ex/target/arch-bench/x86_64-unknown-none/release/kernel-x86_64" \
    -initrd "$work/initrd.cpio" > "$work/out.txt" 2>&1 || status=$?
tr -d '\r' < "$work/out.txt" | grep -E '^bench|^arch-bench'
[ "$status" = 33 ]

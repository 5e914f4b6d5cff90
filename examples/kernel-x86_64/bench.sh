#!/bin/sh
# Exact guest instruction counts of the x86_64 round trips (see
# examples/user-x86_64/src/bin/bench.rs): boots `bench` and `bench-partner`
# under -icount shift=0,sleep=off, where the TSC counts instructions.
#
#   examples/kernel-x86_64/bench.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
ex=$(dirname "$here")
cd "$ex"
cargo build --quiet --release --target x86_64-unknown-none -p kernel-x86_64 -p user-x86_64
bin="$ex/target/x86_64-unknown-none/release"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$bin/bench" "$bin/bench-partner" "$work/"
(cd "$work" && printf 'bench\nbench-partner\n' | cpio -o -H newc --quiet > initrd.cpio)
status=0
timeout 300 qemu-system-x86_64 -cpu "${QEMU_CPU:-max}" -m 128M -display none -serial stdio \
    -no-reboot -icount shift=0,sleep=off -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
    -kernel "$bin/kernel-x86_64" -initrd "$work/initrd.cpio" > "$work/out.txt" 2>&1 || status=$?
tr -d '\r' < "$work/out.txt" | grep -E '^bench|^\[pid|^kernel'
[ "$status" = 33 ]

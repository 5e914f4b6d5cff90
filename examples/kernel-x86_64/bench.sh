#!/bin/sh
# Exact guest instruction counts of the x86_64 round trips (see
# examples/user-x86_64/src/bin/bench.rs), under -icount shift=0,sleep=off,
# where the TSC counts instructions:
#   1. the example kernel (ldex-core's protocol + ExampleOs) with `bench` and
#      `bench-partner`: syscall, int 0x80, yield, timer, end to end;
#   2. the `arch-bench` build (ldex-arch-x86_64 and a minimal sink) with
#      `bench` named `bench-arch`: the arch layer's syscall and int 0x80.
#
#   examples/kernel-x86_64/bench.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
ex=$(dirname "$here")
cd "$ex"
cargo build --quiet --release --target x86_64-unknown-none -p kernel-x86_64 -p user-x86_64
cargo build --quiet --release --target x86_64-unknown-none -p kernel-x86_64 \
    --features arch-bench --target-dir "$ex/target/arch-bench"
bin="$ex/target/x86_64-unknown-none/release"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$bin/bench" "$bin/bench-partner" "$work/"
cp "$bin/bench" "$work/bench-arch"
(cd "$work" && printf 'bench\nbench-partner\n' | cpio -o -H newc --quiet > protocol.cpio)
(cd "$work" && printf 'bench-arch\n' | cpio -o -H newc --quiet > arch.cpio)
boot() { # kernel, initrd
    status=0
    timeout 300 qemu-system-x86_64 -cpu "${QEMU_CPU:-max}" -m 128M -display none -serial stdio \
        -no-reboot -icount shift=0,sleep=off -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
        -kernel "$1" -initrd "$2" > "$work/out.txt" 2>&1 || status=$?
    tr -d '\r' < "$work/out.txt" | grep -E '^bench|^\[pid|^kernel|^arch-bench'
    [ "$status" = 33 ]
}
boot "$bin/kernel-x86_64" "$work/protocol.cpio"
boot "$ex/target/arch-bench/x86_64-unknown-none/release/kernel-x86_64" "$work/arch.cpio"

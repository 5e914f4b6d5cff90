#!/bin/sh
# Build the x86_64 example kernel and an initrd of the given static ELF
# files (by default the bundled programs of examples/user), boot it in QEMU
# and show the console. QEMU's exit status: 33 = clean run, 3 = failure.
# (What `cargo xtask qemu x86_64 [ELF...]` will do once xtask knows x86_64.)
#
#   examples/kernel-x86_64/run.sh [prog.elf ...]
#   QEMU_APPEND="trace cpulimit=20" examples/kernel-x86_64/run.sh
set -eu
ex=$(cd "$(dirname "$0")/.." && pwd)
(cd "$ex" && cargo build --quiet --release --target x86_64-unknown-none -p kernel-x86_64 -p user)
release="$ex/target/x86_64-unknown-none/release"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ $# = 0 ]; then
    set -- "$release/hello" "$release/exerciser" "$release/yielder" "$release/spinner"
fi
list=
for f in "$@"; do
    cp "$f" "$work/"
    list="$list$(basename "$f")
"
done
(cd "$work" && printf '%s' "$list" | cpio -o -H newc --quiet > initrd.cpio)
status=0
qemu-system-x86_64 -cpu "${QEMU_CPU:-max}" -m 128M -display none -serial stdio -no-reboot \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel "$release/kernel-x86_64" \
    -initrd "$work/initrd.cpio" -append "${QEMU_APPEND:-cpulimit=50}" || status=$?
echo "qemu exit status $status"
[ "$status" = 33 ]

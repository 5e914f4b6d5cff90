#!/bin/sh
# Boot the x86_64 example kernel with the bundled programs (examples/user),
# the x86-only hostile set and FPU check (examples/user-x86_64) and any ELF
# files given as arguments, and check the transcript against expected.txt: every expected line must
# appear exactly once (in any order: processes interleave), no line may say
# FAILED or panic, and QEMU must exit 33 (isa-debug-exit success).
#
#   examples/kernel-x86_64/boot-test.sh [extra.elf ...]
#   QEMU_APPEND="cpulimit=20 trace" examples/kernel-x86_64/boot-test.sh
#   QEMU_CPU=qemu64 examples/kernel-x86_64/boot-test.sh   # no XSAVE, no TSC-deadline
set -eu
here=$(cd "$(dirname "$0")" && pwd)
ex=$(dirname "$here")
cd "$ex"
cargo build --quiet --release --target x86_64-unknown-none -p kernel-x86_64 -p user -p user-x86_64
bin="$ex/target/x86_64-unknown-none/release"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
programs="hello exerciser yielder xstate cli hlt port-io lidt lgdt wrmsr mov-cr3 read-kernel
 write-kernel jump-kernel noncanonical ud2 divide-zero int3 int-dpl0 iret-ring0 syscall-kernel-rsp
 jump-noncanonical trap-flag int80-kernel-rsp jump-stack spinner yielder"
for p in $programs; do cp "$bin/$p" "$work/$p"; done
# A malformed file among the programs: refused by name, the others run.
printf 'this is not an ELF file\n' > "$work/not-an-elf"
list=$(for p in $programs; do echo "$p"; done; echo not-an-elf)
for extra in "$@"; do cp "$extra" "$work/"; list="$list
$(basename "$extra")"; done
(cd "$work" && echo "$list" | cpio -o -H newc --quiet > initrd.cpio)
status=0
timeout 120 qemu-system-x86_64 -cpu "${QEMU_CPU:-max}" -m 128M -display none -serial stdio -no-reboot \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
    -kernel "$bin/kernel-x86_64" -initrd "$work/initrd.cpio" \
    -append "${QEMU_APPEND:-cpulimit=20}" > "$work/out.txt" 2>&1 || status=$?
tr -d '\r' < "$work/out.txt" | sed 's/^.*\(ldex x86_64 example kernel\)/\1/' > "$work/transcript.txt"
cat "$work/transcript.txt"
fail=0
while IFS= read -r line; do
    n=$(grep -cxF -- "$line" "$work/transcript.txt" || true)
    if [ "$n" != 1 ]; then echo "MISSING or repeated ($n): $line"; fail=1; fi
done < "$here/expected.txt"
if grep -E "FAILED|panic" "$work/transcript.txt"; then fail=1; fi
if [ "$status" != 33 ]; then echo "QEMU exit status $status, want 33"; fail=1; fi
# No initrd at all: a clear line and a failing exit (3).
nostatus=0
timeout 60 qemu-system-x86_64 -cpu "${QEMU_CPU:-max}" -m 128M -display none -serial stdio \
    -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel "$bin/kernel-x86_64" \
    > "$work/noinitrd.txt" 2>&1 || nostatus=$?
if ! grep -q "kernel: no initrd" "$work/noinitrd.txt" || [ "$nostatus" != 3 ]; then
    echo "without an initrd: exit $nostatus, want 3 and a 'kernel: no initrd' line"; fail=1
fi
[ "$fail" = 0 ] && echo "boot-test: PASS" || { echo "boot-test: FAIL"; exit 1; }

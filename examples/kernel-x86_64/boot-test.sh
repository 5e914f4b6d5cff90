#!/bin/sh
# Boot the x86_64 example kernel with the bundled programs (examples/user),
# the x86-only hostile set and FPU check (examples/user-x86_64), a malformed
# file and any ELF files given as arguments, and check the transcript against
# expected.txt: every expected line must appear exactly once (in any order:
# processes interleave), no line may say FAILED or panic, and QEMU must exit
# 33 (isa-debug-exit success). The same set boots twice: with the default
# kernel and with the `preempt-kernel` feature (system calls preemptible).
# Then a boot without an initrd must print a clear line and exit 3.
# QEMU runs with -icount shift=0,sleep=off: virtual time counts guest
# instructions, so the transcript is the same on every run, however loaded
# the host is (with host time, a slow host charges more ticks to a process).
#
#   examples/kernel-x86_64/boot-test.sh [extra.elf ...]
#   QEMU_APPEND="cpulimit=20 trace" examples/kernel-x86_64/boot-test.sh
#   QEMU_CPU=qemu64 examples/kernel-x86_64/boot-test.sh   # no XSAVE, no TSC-deadline
set -eu
here=$(cd "$(dirname "$0")" && pwd)
ex=$(dirname "$here")
cd "$ex"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
release="$ex/target/x86_64-unknown-none/release"
cargo build --quiet --release --target x86_64-unknown-none -p kernel-x86_64 -p user -p user-x86_64
cp "$release/kernel-x86_64" "$work/kernel"
cargo build --quiet --release --target x86_64-unknown-none -p kernel-x86_64 \
    --features preempt-kernel --target-dir "$ex/target/preempt-kernel"
cp "$ex/target/preempt-kernel/x86_64-unknown-none/release/kernel-x86_64" "$work/kernel-preempt"

programs="hello exerciser yielder xstate cli hlt port-io lidt lgdt wrmsr mov-cr3 read-kernel
 write-kernel jump-kernel noncanonical ud2 divide-zero int3 int-dpl0 iret-ring0 syscall-kernel-rsp
 jump-noncanonical trap-flag int80-kernel-rsp jump-stack spinner yielder"
mkdir "$work/initrd"
for p in $programs; do cp "$release/$p" "$work/initrd/$p"; done
printf 'this is not an ELF file\n' > "$work/initrd/not-an-elf"
list=$(for p in $programs; do echo "$p"; done; echo not-an-elf)
for extra in "$@"; do
    cp "$extra" "$work/initrd/"
    list="$list
$(basename "$extra")"
done
(cd "$work/initrd" && echo "$list" | cpio -o -H newc --quiet > ../initrd.cpio)

qemu() { # kernel, output, extra QEMU arguments...
    k=$1 out=$2
    shift 2
    s=0
    timeout 120 qemu-system-x86_64 -cpu "${QEMU_CPU:-max}" -m 128M -display none -serial stdio \
        -no-reboot -icount shift=0,sleep=off -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
        -kernel "$k" "$@" \
        > "$out.raw" 2>&1 || s=$?
    tr -d '\r' < "$out.raw" | sed 's/^.*\(ldex x86_64 example kernel\)/\1/' > "$out"
    return $s
}

fail=0
for kernel in kernel kernel-preempt; do
    status=0
    qemu "$work/$kernel" "$work/$kernel.txt" -initrd "$work/initrd.cpio" \
        -append "${QEMU_APPEND:-cpulimit=20}" || status=$?
    cat "$work/$kernel.txt"
    while IFS= read -r line; do
        n=$(grep -cxF -- "$line" "$work/$kernel.txt" || true)
        if [ "$n" != 1 ]; then echo "$kernel: MISSING or repeated ($n): $line"; fail=1; fi
    done < "$here/expected.txt"
    if grep -E "FAILED|panic" "$work/$kernel.txt"; then fail=1; fi
    if [ "$status" != 33 ]; then echo "$kernel: QEMU exit status $status, want 33"; fail=1; fi
done

status=0
qemu "$work/kernel" "$work/noinitrd.txt" || status=$?
if ! grep -q "kernel: no initrd" "$work/noinitrd.txt" || [ "$status" != 3 ]; then
    echo "without an initrd: exit $status, want 3 and a 'kernel: no initrd' line"
    fail=1
fi
[ "$fail" = 0 ] && echo "boot-test: PASS" || { echo "boot-test: FAIL"; exit 1; }

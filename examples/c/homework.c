/* OSTEP chapter 6's homework, as a user program: what does a system call
 * cost, and what does a context switch cost?
 *
 * Run as `homework`, it times batches of getpid() calls (through
 * syscall(2), so no C library cache answers) with clock_gettime, then
 * batches of sched_yield() while `homework-partner` yields too: with just
 * the two of them runnable, every yield switches to the other process and
 * back. Each figure is the smallest batch over many, so a timer tick that
 * lands in a batch does not count. A round of the yield loop is two
 * system calls and two switches, so a switch costs (round - 2 calls) / 2.
 * Lines read `bench: NAME NANOSECONDS`, as `cargo xtask bench` collects
 * them; under QEMU's `-icount shift=0` a nanosecond is one instruction. */
#include <stdio.h>
#include <string.h>
#include <sched.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

enum { BATCHES = 50, CALLS = 100, PARTNER_ROUNDS = 40 * BATCHES * CALLS };

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The smallest time over BATCHES batches of CALLS runs of `op`, per run. */
static long long per_call(void (*op)(void)) {
    long long best = -1;
    for (int b = 0; b < BATCHES; b++) {
        long long start = now_ns();
        for (int i = 0; i < CALLS; i++) op();
        long long t = now_ns() - start;
        if (best < 0 || t < best) best = t;
    }
    return best / CALLS;
}

static void getpid_call(void) { syscall(SYS_getpid); }
static void yield_call(void) { sched_yield(); }

int main(int argc, char **argv) {
    const char *me = argc > 0 ? argv[0] : "homework";
    if (strstr(me, "partner")) {
        /* Keep yielding well past the measurement, then go. */
        for (int i = 0; i < PARTNER_ROUNDS; i++) sched_yield();
        return 0;
    }
    long long call = per_call(getpid_call);
    long long round = per_call(yield_call);
    long long sw = (round - 2 * call) / 2;
    printf("bench: homework system call (getpid) %lld\n", call);
    printf("bench: homework yield round trip (two processes) %lld\n", round);
    printf("bench: homework context switch %lld\n", sw > 0 ? sw : 0);
    return 0;
}

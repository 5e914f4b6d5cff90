/* What a C library does on the way to and around main: its allocator
 * (brk for small blocks, mmap for large ones), thread-local storage, page
 * protections, floating-point formatting, big string and memory moves,
 * atexit and the clocks. Every line it prints is the same on Linux. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

static const char *me;

static __thread int tls_counter = 7;
static __thread char tls_buffer[64];

static void goodbye(void) { printf("%s: atexit: goodbye\n", me); }

static int check_malloc(void) {
    /* Sizes from a few bytes to 4 MiB: glibc and musl take the large ones
     * from mmap, the small ones from brk (glibc) or their heap. */
    static const size_t sizes[] = {1, 24, 100, 1000, 4096, 10000, 65536,
                                   200000, 1 << 20, 4 << 20};
    void *blocks[sizeof sizes / sizeof sizes[0]];
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        unsigned char *p = malloc(sizes[i]);
        if (!p) return 1;
        memset(p, (int)i + 1, sizes[i]);
        blocks[i] = p;
    }
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        unsigned char *p = blocks[i];
        if (p[0] != i + 1 || p[sizes[i] - 1] != i + 1) return 2;
        free(p);
    }
    /* Churn: many small blocks, freed in a different order. */
    void *churn[500];
    for (int i = 0; i < 500; i++) churn[i] = malloc(16 + (i * 37) % 3000);
    for (int i = 0; i < 500; i += 2) free(churn[i]);
    for (int i = 1; i < 500; i += 2) free(churn[i]);
    printf("%s: malloc: %zu sizes up to 4 MiB and 500 blocks of churn\n",
           me, sizeof sizes / sizeof sizes[0]);
    return 0;
}

static int check_tls(void) {
    tls_counter += 35;
    strcpy(tls_buffer, "thread-local");
    printf("%s: tls: %d %s\n", me, tls_counter, tls_buffer);
    return tls_counter == 42 ? 0 : 1;
}

static int check_mmap(void) {
    size_t len = 3 * 4096;
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return 1;
    for (size_t i = 0; i < len; i++)
        if (p[i] != 0) return 2;
    p[0] = 'a';
    p[len - 1] = 'z';
    if (mprotect(p, 4096, PROT_READ) != 0) return 3;
    if (p[0] != 'a') return 4;
    if (munmap(p + 4096, 4096) != 0) return 5;
    /* MAP_FIXED into the hole just made: a fresh zero page. */
    char *q = mmap(p + 4096, 4096, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (q != p + 4096 || q[0] != 0) return 6;
    if (munmap(p, len) != 0) return 7;
    printf("%s: mmap: anonymous, MAP_FIXED, mprotect and munmap\n", me);
    return 0;
}

static int check_strings(void) {
    size_t n = 1 << 20;
    char *a = malloc(n + 64), *b = malloc(n + 64);
    if (!a || !b) return 1;
    for (size_t i = 0; i < n; i++) a[i] = 'a' + i % 26;
    a[n] = 0;
    memcpy(b, a, n + 1);
    if (strlen(b) != n || memcmp(a, b, n) != 0) return 2;
    memmove(b + 3, b, n - 3); /* overlapping, forwards */
    if (b[3] != 'a' || b[n - 1] != a[n - 4]) return 3;
    memmove(b, b + 5, n - 5); /* overlapping, backwards */
    if (b[0] != a[2]) return 4;
    printf("%s: strings: memcpy, memmove and strlen over %zu bytes\n", me, n);
    free(a);
    free(b);
    return 0;
}

static int check_clocks(void) {
    struct timespec m1, m2, r;
    if (clock_gettime(CLOCK_MONOTONIC, &m1) || clock_gettime(CLOCK_REALTIME, &r)) return 1;
    volatile unsigned long spin = 0;
    for (int i = 0; i < 100000; i++) spin += i;
    if (clock_gettime(CLOCK_MONOTONIC, &m2)) return 2;
    int forward = m2.tv_sec > m1.tv_sec ||
                  (m2.tv_sec == m1.tv_sec && m2.tv_nsec >= m1.tv_nsec);
    printf("%s: clocks: monotonic %s\n", me, forward ? "goes forward" : "went back");
    return !forward;
}

int main(int argc, char **argv) {
    me = argc > 0 ? argv[0] : "libc-tour";
    atexit(goodbye);
    printf("%s: float: %.3f %g %e\n", me, 3.14159265, 1.0 / 3.0, 6.02214076e23);
    int bad = 0;
    bad |= check_malloc() << 0;
    bad |= check_tls() << 1;
    bad |= check_mmap() << 2;
    bad |= check_strings() << 3;
    bad |= check_clocks() << 4;
    printf("%s: done: %s\n", me, bad ? "FAILED" : "ok");
    return bad ? 100 + bad : 0;
}

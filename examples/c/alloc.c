/* Load: take 3 MiB (malloc's mmap path), write every byte, check it, give
 * it back. A thousand of these, 32 at a time, need far more memory in
 * total than the machine has: it only works if every frame comes back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    const char *me = argc > 0 ? argv[0] : "alloc";
    size_t n = 3 << 20;
    unsigned char *p = malloc(n);
    if (!p) {
        printf("%s: malloc(3 MiB) FAILED\n", me);
        return 1;
    }
    for (size_t i = 0; i < n; i++) p[i] = (unsigned char)(i * 7);
    for (size_t i = 0; i < n; i += 4093)
        if (p[i] != (unsigned char)(i * 7)) {
            printf("%s: byte %zu FAILED\n", me, i);
            return 2;
        }
    free(p);
    printf("%s: 3 MiB written, checked and freed\n", me);
    return 0;
}

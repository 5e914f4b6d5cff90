/* Out of memory is an answer, not a crash: take 1 MiB blocks (writing each)
 * until malloc returns NULL, which on a 128 MiB machine it must before
 * 512 MiB; give them all back and take 8 MiB again. The kernel answers
 * brk and mmap with -ENOMEM when it has no frame, so malloc returns NULL;
 * this process, the kernel and every other process go on. (Linux with
 * its default overcommit would instead let the blocks be had and kill
 * some process later, when a page could not be supplied.) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MIB = 1 << 20, MAX_BLOCKS = 512 };

int main(int argc, char **argv) {
    const char *me = argc > 0 ? argv[0] : "oom";
    static char *blocks[MAX_BLOCKS];
    int n = 0;
    while (n < MAX_BLOCKS && (blocks[n] = malloc(MIB)) != NULL) {
        memset(blocks[n], n, MIB);
        n++;
    }
    if (n == MAX_BLOCKS) {
        printf("%s: 512 MiB and still no NULL\n", me);
        return 1;
    }
    printf("%s: malloc returned NULL after %s\n", me, n >= 16 ? "16 MiB or more" : "less than 16 MiB");
    for (int i = 0; i < n; i++) {
        if (blocks[i][MIB - 1] != (char)i) return 2;
        free(blocks[i]);
    }
    char *again = malloc(8 * MIB);
    if (!again) {
        printf("%s: 8 MiB after freeing: NULL\n", me);
        return 3;
    }
    memset(again, 1, 8 * MIB);
    free(again);
    printf("%s: all given back, and 8 MiB could be had again\n", me);
    return 0;
}

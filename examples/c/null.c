/* A null dereference: a page fault, killed, as on Linux. */
#include <stdio.h>

int main(int argc, char **argv) {
    printf("%s: about to read address 0\n", argc > 0 ? argv[0] : "null");
    fflush(stdout);
    volatile int *p = 0;
    return *p;
}

/* A null dereference: a page fault, killed, as on Linux. */
#include <stdio.h>

int main(void) {
    printf("about to read address 0\n");
    fflush(stdout);
    volatile int *p = 0;
    return *p;
}

/* abort(): the C library raises SIGABRT against itself; killed, as on Linux. */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    printf("about to abort\n");
    fflush(stdout);
    abort();
}

/* abort(): the C library raises SIGABRT against itself; killed, as on Linux. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    printf("%s: about to abort\n", argc > 0 ? argv[0] : "abort");
    fflush(stdout);
    abort();
}

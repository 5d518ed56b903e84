/* The same workload on the host: prints the checksum the guest must reproduce. */
#include <stdio.h>
#include <stdlib.h>

#include "workload.h"

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s ITERATIONS\n", argv[0]);
    return 2;
  }
  char *end;
  unsigned long iterations = strtoul(argv[1], &end, 10);
  if (*end || end == argv[1]) {
    fprintf(stderr, "%s: ITERATIONS must be a number, got '%s'\n", argv[0], argv[1]);
    return 2;
  }
  printf("%s %lu %08x\n", WORKLOAD.name, iterations, (unsigned)WORKLOAD.run((uint32_t)iterations));
  return 0;
}

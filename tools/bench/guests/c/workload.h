/*
 * A benchmark workload: plain portable C that builds both into a Multiboot guest (with
 * runtime/guest-main.c) and into a host program (native-main.c), so the host computes the
 * checksum the guest must reproduce.
 */
#ifndef TSVM_GUEST_WORKLOAD_H
#define TSVM_GUEST_WORKLOAD_H
#include <stdint.h>

struct workload {
  const char *name;
  /* Needs an x87 FPU: the guest checks CPUID and enables it (53-bit precision) before running. */
  int needs_fpu;
  /* Runs `iterations` rounds of the work and returns a checksum over every result. */
  uint32_t (*run)(uint32_t iterations);
};

extern const struct workload WORKLOAD;
#endif

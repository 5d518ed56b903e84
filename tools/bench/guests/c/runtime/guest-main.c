/*
 * The guest's main: run the workload ITERATIONS times and compare its checksum with EXPECTED,
 * which build.sh computed by running the same C on the host. Prints one line on COM1 and exits
 * through the debug-exit port: 0 = checksum matches, 1 = mismatch, 2 = no FPU for an x87
 * workload, 3 = CPU exception.
 */
#include "../workload.h"
#include "runtime.h"

#ifndef ITERATIONS
#error "build with -DITERATIONS=N -DEXPECTED=0x... (see build.sh)"
#endif

/* x87 control word: all exceptions masked, round to nearest, 53-bit precision, so every
 * operation rounds like an IEEE double and the host's SSE build gives the same bits. */
#define FPU_CONTROL_DOUBLE 0x027f

void __attribute__((noreturn)) guest_main(uint32_t magic, uint32_t info) {
  (void)magic;
  (void)info;
  exceptions_install();
  serial_puts(WORKLOAD.name);
  if (WORKLOAD.needs_fpu) {
    if (!cpu_has_fpu()) {
      serial_puts(": no x87 FPU (CPUID.1:EDX.FPU = 0)\n");
      debug_exit(2);
    }
    fpu_enable(FPU_CONTROL_DOUBLE);
  }
  uint32_t checksum = WORKLOAD.run(ITERATIONS);
  serial_puts(": iterations ");
  serial_put_dec(ITERATIONS);
  serial_puts(", checksum ");
  serial_put_hex(checksum);
  if (checksum == (uint32_t)(EXPECTED)) {
    serial_puts(", ok\n");
    debug_exit(0);
  }
  serial_puts(", MISMATCH: the host computed ");
  serial_put_hex((uint32_t)(EXPECTED));
  serial_puts("\n");
  debug_exit(1);
}

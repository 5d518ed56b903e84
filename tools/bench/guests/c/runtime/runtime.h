/* The freestanding runtime of the C benchmark guests: COM1 output, debug exit, CPU facts. */
#ifndef TSVM_GUEST_RUNTIME_H
#define TSVM_GUEST_RUNTIME_H
#include <stdint.h>

void serial_putc(char c);
void serial_puts(const char *s);
void serial_put_hex(uint32_t value);   /* 8 lower-case hex digits */
void serial_put_dec(uint32_t value);

/* Vectors 0-31 report and end the run (exit value 3) instead of triple-faulting. */
void exceptions_install(void);

/* QEMU isa-debug-exit semantics at port 0xf4: the VMM exits with status (value << 1) | 1. */
void __attribute__((noreturn)) debug_exit(uint8_t value);

/* CPUID leaf 1 EDX bit 0: an x87 FPU is present. */
int cpu_has_fpu(void);
/* CR0: EM off, MP and NE on, TS off; FNINIT; then the given control word (FLDCW). */
void fpu_enable(uint16_t control_word);

/* Square root on the x87 (for the x87 workloads; see runtime.c). */
double sqrt(double x);

/* Compilers may call these even in freestanding code (struct copies, zeroing). */
void *memcpy(void *dst, const void *src, uint32_t n);
void *memset(void *dst, int value, uint32_t n);
#endif

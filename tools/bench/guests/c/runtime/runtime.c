/* The freestanding runtime of the C benchmark guests (see runtime.h). */
#include "runtime.h"

#define COM1 0x3f8
#define COM1_LSR 0x3fd /* line status: bit 5 = transmit holding register empty */
#define DEBUG_EXIT 0xf4

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) {
  uint8_t v;
  __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
  return v;
}

void serial_putc(char c) {
  while (!(inb(COM1_LSR) & 0x20)) {
  }
  outb(COM1, (uint8_t)c);
}

void serial_puts(const char *s) {
  while (*s) serial_putc(*s++);
}

void serial_put_hex(uint32_t value) {
  for (int shift = 28; shift >= 0; shift -= 4) serial_putc("0123456789abcdef"[(value >> shift) & 0xf]);
}

void serial_put_dec(uint32_t value) {
  char digits[11];
  int i = 10;
  digits[i] = 0;
  do {
    digits[--i] = (char)('0' + value % 10);
    value /= 10;
  } while (value);
  serial_puts(digits + i);
}

void debug_exit(uint8_t value) {
  outb(DEBUG_EXIT, value);
  /* Peers without the port (v86) stop on the serial output instead; park here. */
  for (;;) __asm__ volatile("cli; hlt");
}

int cpu_has_fpu(void) {
  uint32_t a = 1, b, c = 0, d;
  __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
  return d & 1;
}

void fpu_enable(uint16_t control_word) {
  uint32_t cr0;
  __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
  cr0 = (cr0 & ~((1u << 2) | (1u << 3))) | (1u << 1) | (1u << 5); /* EM=0 TS=0 MP=1 NE=1 */
  __asm__ volatile("mov %0, %%cr0" : : "r"(cr0));
  __asm__ volatile("fninit; fldcw %0" : : "m"(control_word));
}

void *memcpy(void *dst, const void *src, uint32_t n) {
  uint8_t *d = dst;
  const uint8_t *s = src;
  while (n--) *d++ = *s++;
  return dst;
}

void *memset(void *dst, int value, uint32_t n) {
  uint8_t *d = dst;
  while (n--) *d++ = (uint8_t)value;
  return dst;
}

/* IDT gates for vectors 0-31, pointing at the stubs in start.S. */
extern const uint32_t exception_stubs[32];
static uint64_t idt[32];

void exceptions_install(void) {
  for (int v = 0; v < 32; v++) {
    uint32_t at = exception_stubs[v];
    /* 32-bit interrupt gate, present, DPL 0, selector 0x08 */
    idt[v] = (uint64_t)(at & 0xffff) | (0x08ull << 16) | (0x8eull << 40) | ((uint64_t)(at >> 16) << 48);
  }
  struct __attribute__((packed)) {
    uint16_t limit;
    uint32_t base;
  } desc = {sizeof idt - 1, (uint32_t)idt};
  __asm__ volatile("lidt %0" : : "m"(desc));
}

/* Vectors for which the CPU pushes an error code before EIP. */
static int has_error_code(uint32_t vector) {
  return vector == 8 || (vector >= 10 && vector <= 14) || vector == 17 || vector == 21;
}

void __attribute__((noreturn, used)) guest_exception(const uint32_t *frame) {
  uint32_t vector = frame[0];
  uint32_t eip = frame[has_error_code(vector) ? 2 : 1];
  serial_puts("\nguest: CPU exception ");
  serial_put_dec(vector);
  serial_puts(" at eip ");
  serial_put_hex(eip);
  serial_puts("\n");
  debug_exit(3);
}

/* libm's sqrt for the x87 workloads (ISO C mode does not inline FSQRT): with the control word's
 * 53-bit precision, FSQRT rounds once, exactly like an IEEE double square root. */
double sqrt(double x) {
  double root;
  __asm__("fsqrt" : "=t"(root) : "0"(x));
  return root;
}

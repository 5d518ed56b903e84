/*
 * A Multiboot v1 kernel in freestanding C, built by Debian's gcc -m32 (a toolchain other than
 * the nasm used for tsvm's other guests). It checks the boot protocol, prints the information
 * the loader gave it (command line, memory sizes, memory map, modules with their strings) on
 * COM1, and exits through the debug-exit port: 0 when everything was consistent, 1 otherwise.
 */
#include <stdint.h>

#define MB_HEADER_MAGIC 0x1BADB002u
#define MB_HEADER_FLAGS 0x00000003u /* page-align modules, memory information */
#define MB_BOOT_MAGIC 0x2BADB002u

struct mb_header {
  uint32_t magic, flags, checksum;
};

/* The header: in its own section, placed first by link.ld (within the first 8 KiB of the file). */
__attribute__((section(".multiboot"), used, aligned(4))) static const struct mb_header header = {
    MB_HEADER_MAGIC, MB_HEADER_FLAGS, (uint32_t)-(MB_HEADER_MAGIC + MB_HEADER_FLAGS)};

struct mb_info {
  uint32_t flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
  uint32_t syms[4];
  uint32_t mmap_length, mmap_addr;
  uint32_t drives_length, drives_addr, config_table, boot_loader_name;
};

struct mb_module {
  uint32_t start, end, string, reserved;
};

struct __attribute__((packed)) mb_mmap_entry {
  uint32_t size;
  uint64_t base, length;
  uint32_t type;
};

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) {
  uint8_t v;
  __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
  return v;
}

static void putc(char c) {
  while (!(inb(0x3FD) & 0x20)) {
  }
  outb(0x3F8, (uint8_t)c);
}

static void puts(const char *s) {
  for (; *s; s++) {
    if (*s == '\n') putc('\r');
    putc(*s);
  }
}

static void put_dec(uint32_t v) {
  char buf[11];
  int i = 10;
  buf[i] = 0;
  do {
    buf[--i] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  puts(buf + i);
}

static void put_hex(uint64_t v, int digits) {
  puts("0x");
  for (int i = digits - 1; i >= 0; i--) putc("0123456789abcdef"[(v >> (i * 4)) & 0xF]);
}

static int errors;

static void check(int ok, const char *what) {
  if (!ok) {
    puts("  FAILED: ");
    puts(what);
    puts("\n");
    errors++;
  }
}

static void __attribute__((noreturn)) debug_exit(uint8_t v) {
  outb(0xF4, v);
  for (;;) __asm__ volatile("cli; hlt");
}

void kernel_main(uint32_t magic, const struct mb_info *info) {
  puts("mbkernel: a Multiboot kernel in C (gcc -m32, freestanding)\n");
  check(magic == MB_BOOT_MAGIC, "EAX holds 0x2BADB002");
  if (magic != MB_BOOT_MAGIC) debug_exit(1);

  puts("  command line: ");
  if (info->flags & (1u << 2)) puts((const char *)info->cmdline);
  puts("\n");
  check(info->flags & 1u, "memory sizes are present");
  puts("  memory: lower ");
  put_dec(info->mem_lower);
  puts(" KiB, upper ");
  put_dec(info->mem_upper);
  puts(" KiB\n");

  check(info->flags & (1u << 6), "a memory map is present");
  uint64_t usable_above_1m = 0;
  puts("  memory map:\n");
  for (uint32_t at = info->mmap_addr; at < info->mmap_addr + info->mmap_length;) {
    const struct mb_mmap_entry *e = (const struct mb_mmap_entry *)at;
    puts("    ");
    put_hex(e->base, 9);
    puts(" +");
    put_hex(e->length, 9);
    puts(e->type == 1 ? " usable\n" : " reserved\n");
    if (e->type == 1 && e->base == 0x100000) usable_above_1m = e->length;
    at += e->size + 4;
  }
  check(usable_above_1m == (uint64_t)info->mem_upper * 1024, "the map agrees with mem_upper");

  if (info->flags & (1u << 3)) {
    const struct mb_module *m = (const struct mb_module *)info->mods_addr;
    puts("  modules: ");
    put_dec(info->mods_count);
    puts("\n");
    for (uint32_t i = 0; i < info->mods_count; i++) {
      puts("    '");
      puts((const char *)m[i].string);
      puts("' ");
      put_dec(m[i].end - m[i].start);
      puts(" bytes, page-aligned: ");
      puts(m[i].start % 4096 == 0 ? "yes" : "no");
      check(m[i].start % 4096 == 0, "modules are page-aligned");
      puts(", first line: ");
      for (const char *c = (const char *)m[i].start; c < (const char *)m[i].end && *c != '\n'; c++) putc(*c);
      puts("\n");
    }
  } else {
    puts("  modules: none\n");
  }
  if (info->flags & (1u << 9)) {
    puts("  boot loader: ");
    puts((const char *)info->boot_loader_name);
    puts("\n");
  }
  puts(errors ? "mbkernel: FAILED\n" : "mbkernel: all checks passed\n");
  debug_exit(errors ? 1 : 0);
}

/* The Multiboot machine state has no stack: _start sets one up and passes EAX and EBX on. */
__attribute__((used, aligned(16))) static uint8_t boot_stack[16384];

__asm__(".pushsection .text\n"
        ".global _start\n"
        "_start:\n"
        "  mov $boot_stack + 16384, %esp\n"
        "  push %ebx\n"
        "  push %eax\n"
        "  call kernel_main\n"
        "1: cli; hlt; jmp 1b\n"
        ".popsection\n");

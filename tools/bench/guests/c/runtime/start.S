/*
 * Entry of every C benchmark guest: a Multiboot v1 header, then _start, which loads our own flat
 * GDT (Multiboot leaves GDTR undefined; v86 enters with segment caches set but no GDT, so the
 * exception handlers' far transfers need one), sets up a stack and calls guest_main(magic, info).
 */
  .file "start.S" /* otherwise the symbol table names a temporary file and builds differ */
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000000 /* ELF image: no memory information or alignment requests */

  .section .multiboot, "a"
  .align 4
  .long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

  .text
  .global _start
_start:
  cli
  mov %eax, %esi                /* the loader's magic and info pointer survive in ESI/EDI */
  mov %ebx, %edi
  lgdt gdt_desc
  ljmp $0x08, $1f
1:mov $0x10, %ax
  mov %ax, %ds
  mov %ax, %es
  mov %ax, %ss
  mov %ax, %fs
  mov %ax, %gs
  mov $boot_stack_top, %esp
  push %edi
  push %esi
  call guest_main
2:cli
  hlt
  jmp 2b


/* Exception stubs for vectors 0-31: push the vector, then report through guest_exception(frame),
 * which prints it and ends the run, so a CPU fault reads as a message rather than a triple fault. */
  .text
  .altmacro
  .macro exception_stub n
exception_stub_\n:
  push $\n
  jmp exception_common
  .endm
  .set vector, 0
  .rept 32
  exception_stub %vector
  .set vector, vector + 1
  .endr
exception_common:
  push %esp                     /* guest_exception(frame): frame[0] = vector, then the CPU's push */
  call guest_exception
3:cli
  hlt
  jmp 3b

  .section .rodata
  .align 4
  .global exception_stubs
exception_stubs:
  .macro stub_address n
  .long exception_stub_\n
  .endm
  .set vector, 0
  .rept 32
  stub_address %vector
  .set vector, vector + 1
  .endr

  .align 8
gdt:
  .quad 0
  .quad 0x00cf9a000000ffff      /* 0x08: code, base 0, limit 4 GiB, 32-bit */
  .quad 0x00cf92000000ffff      /* 0x10: data, base 0, limit 4 GiB */
gdt_end:
gdt_desc:
  .word gdt_end - gdt - 1
  .long gdt

  .bss
  .align 16
  .skip 65536
boot_stack_top:

  .section .note.GNU-stack, "", @progbits

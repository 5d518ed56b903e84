; A Multiboot v1 ELF kernel linked the ordinary way with Debian's binutils:
;   nasm -f elf32 mbelf.asm && ld -m elf_i386 -Ttext=0x100000 -e _start
; ld then emits two PT_LOADs: one at 0xFF000 that holds only the ELF and program headers, and the
; code at 0x100000. A loader must accept the first one (0xC0000-0xFFFFF is shadow RAM on a PC).
; The kernel checks what the loader left behind, prints a line on COM1 and exits through port 0xf4.

MB_MAGIC equ 0x1BADB002
MB_FLAGS equ 0x00000003                 ; page-align modules, memory info
COM1     equ 0x3f8

section .text
align 4
multiboot_header:
    dd MB_MAGIC
    dd MB_FLAGS
    dd -(MB_MAGIC + MB_FLAGS)

global _start
_start:
    mov esp, stack_top
    cmp eax, 0x2BADB002
    jne fail
    mov esi, hello
    call puts
    ; The first PT_LOAD put the ELF header at 0xFF000: its magic must be there.
    cmp dword [0xff000], 0x464c457f
    jne fail
    mov esi, headers_ok
    call puts
    ; The memory map must report 0xF0000 as reserved, not usable.
    test dword [ebx], 1 << 6
    jz fail
    mov ecx, [ebx + 48]                 ; mmap_addr
    mov edx, ecx
    add edx, [ebx + 44]                 ; mmap end
.entry:
    cmp ecx, edx
    jae fail                            ; 0xF0000 not described at all
    mov eax, [ecx + 4]                  ; base (low half; the high half is 0 below 4 GiB)
    cmp eax, 0xf0000
    ja .next
    add eax, [ecx + 12]                 ; base + length
    cmp eax, 0xf0000
    jbe .next
    cmp dword [ecx + 20], 2             ; type: reserved
    jne fail
    jmp .reserved
.next:
    add ecx, [ecx]
    add ecx, 4
    jmp .entry
.reserved:
    mov esi, reserved_ok
    call puts
    mov al, 0x10                        ; exit status (0x10 << 1) | 1 = 33
    out 0xf4, al
    hlt

fail:
    mov esi, failed
    call puts
    mov al, 0x7f
    out 0xf4, al
    hlt

puts:                                   ; esi = NUL-terminated string
    lodsb
    test al, al
    jz .done
    mov dx, COM1 + 5
    mov ah, al
.wait:
    in al, dx
    test al, 0x20
    jz .wait
    mov al, ah
    mov dx, COM1
    out dx, al
    jmp puts
.done:
    ret

section .data
hello:       db 'mbelf: booted by a Multiboot loader', 10, 0
headers_ok:  db 'mbelf: ELF headers loaded at 0xff000', 10, 0
reserved_ok: db 'mbelf: 0xf0000 is reserved in the memory map', 10, 0
failed:      db 'mbelf: FAILED', 10, 0

section .bss
align 16
resb 4096
stack_top:

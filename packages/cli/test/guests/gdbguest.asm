; gdbguest: a Multiboot kernel for the debugger tests (tsvm's gdb stub and QEMU's gdbstub).
; Default mode: load known values into every general register, stop at `checkpoint` (the
; debugger's breakpoint), then print EAX, so a register the debugger changed shows in the output.
; Command line ending in "tsc": read the TSC 1000 times, passing `tsc_mode.tick` each time, and report how often
; it went backwards. Exit through the debug-exit port 0xf4 (status (v << 1) | 1).
bits 32
section .text
align 4
multiboot_header:                  ; first in .text: within the first 8 KiB of the file
    dd 0x1BADB002, 0, -0x1BADB002

global _start, checkpoint, after_checkpoint, tsc_mode.tick, message
_start:
    cli
    mov esi, ebx                   ; Multiboot info
    lgdt [gdt_descriptor]
    jmp 0x08:.reload
.reload:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    mov ss, ax
    mov esp, stack_top
    mov edi, message
    call puts
    test dword [esi], 4            ; command line present?
    jz .registers
    mov eax, [esi + 16]            ; the command line ends in "tsc"? (QEMU puts the kernel's path first)
.end:
    cmp byte [eax], 0
    je .ends
    inc eax
    jmp .end
.ends:
    cmp dword [eax - 3], 0x00637374 ; "tsc", NUL
    je tsc_mode
.registers:
    push dword 0x00000002          ; flags: all clear (IF off)
    popfd
    mov eax, 0x11111111
    mov ebx, 0x22222222
    mov ecx, 0x33333333
    mov edx, 0x44444444
    mov esi, 0x55555555
    mov edi, 0x66666666
    mov ebp, 0x77777777
checkpoint:
    nop
    nop
after_checkpoint:
    mov esp, stack_top
    push eax
    mov edi, eax_label
    call puts
    pop eax
    call puthex
    mov edi, newline
    call puts
    mov eax, 0x10                  ; exit status 0x21
    out 0xf4, eax
    hlt

tsc_mode:
    xor ebp, ebp                   ; samples that went backwards
    mov ecx, 1000
    rdtsc
.loop:
    mov esi, eax                   ; previous TSC in edi:esi
    mov edi, edx
    rdtsc
.tick:
    cmp edx, edi
    jb .backwards
    ja .next
    cmp eax, esi
    jae .next
.backwards:
    inc ebp
.next:
    dec ecx
    jnz .loop
    mov edi, tsc_label
    call puts
    mov eax, ebp
    call puthex
    mov edi, newline
    call puts
    mov eax, 0x11                  ; exit status 0x23
    out 0xf4, eax
    hlt

%include "com1-puts.inc"

; puthex: print EAX as 8 hex digits on COM1.
puthex:
    push ecx
    push edx
    push ebx
    mov ebx, eax
    mov ecx, 8
    mov dx, 0x3f8
.digit:
    rol ebx, 4
    mov al, bl
    and al, 0x0f
    add al, '0'
    cmp al, '9'
    jbe .out
    add al, 'a' - '9' - 1
.out:
    out dx, al
    dec ecx
    jnz .digit
    pop ebx
    pop edx
    pop ecx
    ret

section .data
align 8
gdt:
    dq 0
    dq 0x00cf9a000000ffff          ; 0x08: flat 32-bit code
    dq 0x00cf92000000ffff          ; 0x10: flat data
gdt_descriptor:
    dw gdt_descriptor - gdt - 1
    dd gdt
message:   db 'gdbguest: start', 10, 0
eax_label: db 'eax=', 0
tsc_label: db 'tsc backwards=', 0
newline:   db 10, 0

section .bss
align 16
    resb 4096
stack_top:

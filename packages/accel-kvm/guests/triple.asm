; Triple-fault guest: enters 64-bit long mode (as long64.asm), loads an empty IDT, then touches an unmapped page:
; no handler, no double-fault handler -> the CPU shuts down. Long mode because KVM's
; instruction emulator (used for real and unpaged protected mode on software KVM) may
; report an emulation failure instead of faulting.
%include "common.inc"
%define PML4 0x10000
%define PDPT 0x11000
%define PD   0x12000
        bits 16
        org 0x8000
start:  cli
        xor ax, ax
        mov ds, ax
        lgdt [gdt_ptr]
        mov eax, cr0
        or eax, 1
        mov cr0, eax
        jmp 0x08:pm
        bits 32
pm:     mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov esp, 0x7000
        mov edi, PML4               ; clear the three tables
        xor eax, eax
        mov ecx, 3 * 1024
        rep stosd
        mov dword [PML4], PDPT | 3
        mov dword [PDPT], PD | 3
        mov dword [PD], 0x83        ; 2 MiB page at 0, present + writable + PS
        mov eax, PML4
        mov cr3, eax
        mov eax, cr4
        or eax, 1 << 5              ; PAE
        mov cr4, eax
        mov ecx, 0xc0000080         ; EFER
        rdmsr
        or eax, 1 << 8              ; LME
        wrmsr
        mov eax, cr0
        or eax, 1 << 31             ; PG
        mov cr0, eax
        jmp 0x18:lm
        bits 64
lm:     mov ax, 0x10
        mov ds, ax
        mov ss, ax
        lidt [idt_ptr]
        mov rax, [0x40000000]       ; unmapped: #PF with an empty IDT -> #DF -> shutdown
        hlt
idt_ptr: dw 0
        dq 0
        align 8
gdt:    dq 0
        dq 0x00cf9a000000ffff       ; 0x08: 32-bit code
        dq 0x00cf92000000ffff       ; 0x10: data
        dq 0x00af9a000000ffff       ; 0x18: 64-bit code (L=1)
gdt_ptr: dw $ - gdt - 1
        dd gdt

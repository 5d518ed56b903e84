; Triple-fault guest: enters 64-bit long mode (as long64.asm), loads an empty IDT, then touches an unmapped page:
; no handler, no double-fault handler -> the CPU shuts down. Long mode because KVM's
; instruction emulator (used for real and unpaged protected mode on software KVM) may
; report an emulation failure instead of faulting.
%include "common.inc"
%include "enter-long-mode.inc"
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

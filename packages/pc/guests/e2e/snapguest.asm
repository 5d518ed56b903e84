; Cross-accelerator snapshot guest. Phase 1 prints a running checksum over many steps of integer
; work (a save may land anywhere in it), then waits for one byte on COM1 (a save there is a
; known point), then phase 2 counts 20 PIT ticks through the 8259 with interrupts, continues the
; checksum and exits with a status made from it. The output depends only on the input byte.
bits 32
org 0x100000
%include "lib.inc"
    MULTIBOOT_HEADER

STEPS equ 60

entry:
    mov esp, stack_top
    mov esi, msg_start
    call puts
    mov edi, 0x12345678             ; checksum
    xor ebp, ebp                    ; step
.phase1:
    call work
    mov esi, msg_step
    call puts
    mov eax, ebp
    call print_dec
    mov al, ' '
    call putc
    mov eax, edi
    call print_dec
    mov al, 10
    call putc
    inc ebp
    cmp ebp, STEPS
    jb .phase1

    mov esi, msg_wait
    call puts
.poll:
    mov dx, 0x3FD
    in al, dx
    test al, 1
    jz .poll
    mov dx, 0x3F8
    in al, dx
    movzx eax, al
    add edi, eax
    mov esi, msg_got
    call puts
    call putc
    mov al, 10
    call putc

    ; phase 2: 20 timer interrupts at 1 kHz
    call setup_interrupts
    sti
.ticks:
    hlt
    cmp dword [ticks], 20
    jb .ticks
    cli
    mov al, 0x30
    out 0x43, al                    ; stop the PIT
    mov esi, msg_ticks
    call puts
    call work
    call work
    mov esi, msg_end
    call puts
    mov eax, edi
    call print_dec
    mov al, 10
    call putc
    mov eax, edi
    and eax, 0x3F
    call debug_exit

; work: 20000 rounds of xorshift mixed into EDI
work:
    push ecx
    mov ecx, 20000
.round:
    mov eax, edi
    shl eax, 13
    xor edi, eax
    mov eax, edi
    shr eax, 17
    xor edi, eax
    mov eax, edi
    shl eax, 5
    xor edi, eax
    add edi, ecx
    loop .round
    pop ecx
    ret

setup_interrupts:
    push edi                        ; EDI holds the checksum
    mov edi, idt + 0x20 * 8
    mov eax, timer_isr
    mov [edi], ax
    mov word [edi + 2], 0x08
    mov word [edi + 4], 0x8E00
    shr eax, 16
    mov [edi + 6], ax
    lgdt [gdt_descriptor]
    jmp 0x08:.cs_ok
.cs_ok:
    lidt [idt_descriptor]
    mov al, 0x11
    out 0x20, al
    mov al, 0x20
    out 0x21, al
    mov al, 0x04
    out 0x21, al
    mov al, 0x01
    out 0x21, al
    mov al, 0xFE
    out 0x21, al
    mov al, 0x34
    out 0x43, al
    mov ax, 1193                    ; 1 kHz
    out 0x40, al
    mov al, ah
    out 0x40, al
    pop edi
    ret

timer_isr:
    push eax
    inc dword [ticks]
    mov al, 0x20
    out 0x20, al
    pop eax
    iretd

align 8
gdt:
    dq 0
    dq 0x00CF9A000000FFFF
    dq 0x00CF92000000FFFF
gdt_descriptor:
    dw 23
    dd gdt
idt_descriptor:
    dw 0x30 * 8 - 1
    dd idt
msg_start: db 'snapguest: phase 1', 10, 0
msg_step:  db 'step ', 0
msg_wait:  db 'waiting for a key', 10, 0
msg_got:   db 'got ', 0
msg_ticks: db '20 timer ticks', 10, 0
msg_end:   db 'checksum ', 0
end_of_data:

section .bss align=16
idt:        resq 0x30
ticks:      resd 1
stack:      resb 8192
stack_top:
end_of_bss:

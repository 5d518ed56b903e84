; Cross-accelerator snapshot guest. Phase 1 prints a running checksum over many steps of integer
; work (a save may land anywhere in it), then waits for one byte on COM1 (a save there is a
; known point), then phase 2 counts 20 PIT ticks through the 8259 (poll mode: IRET cannot be
; emulated by software KVM in unpaged protected mode), continues the
; checksum and exits with a status made from it. The output depends only on the input byte.
bits 32
org 0x100000
%include "lib.inc"
    MULTIBOOT_HEADER

STEPS equ 40

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

    ; phase 2: 20 timer ticks at 1 kHz, taken from the PIC with OCW3 poll commands
    call setup_timer
    xor ebx, ebx
.ticks:
    mov al, 0x0C
    out 0x20, al
    in al, 0x20
    test al, 0x80
    jz .ticks
    mov al, 0x20
    out 0x20, al                    ; EOI
    inc ebx
    cmp ebx, 20
    jb .ticks
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

; work: 4000 rounds of xorshift mixed into EDI
work:
    push ecx
    mov ecx, 4000
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

setup_timer:
    mov al, 0x11
    out 0x20, al
    mov al, 0x20
    out 0x21, al
    mov al, 0x04
    out 0x21, al
    mov al, 0x01
    out 0x21, al
    mov al, 0xFE                    ; only IRQ 0
    out 0x21, al
    mov al, 0x34
    out 0x43, al
    mov ax, 1193                    ; 1 kHz
    out 0x40, al
    mov al, ah
    out 0x40, al
    ret

msg_start: db 'snapguest: phase 1', 10, 0
msg_step:  db 'step ', 0
msg_wait:  db 'waiting for a key', 10, 0
msg_got:   db 'got ', 0
msg_ticks: db '20 timer ticks', 10, 0
msg_end:   db 'checksum ', 0
end_of_data:

section .bss align=16
stack:      resb 8192
stack_top:
end_of_bss:

; Interrupt guest (flat binary at 0x7C00, real mode, where software KVM can emulate IRET):
; the 8259 is programmed to vectors 0x20/0x28, the PIT raises IRQ 0 at 1 kHz and COM1
; raises IRQ 4 for received data. Handlers count ticks and queue received bytes; the main
; loop sleeps in HLT, echoes each byte in upper case and stops at '.', once at least 50 ticks
; have passed. Exit value: the number of bytes echoed.
bits 16
org 0x7C00
%include "pic.inc"

start:
    cli
    xor ax, ax
    mov ds, ax
    mov ss, ax
    mov sp, 0x7000
    mov word [0x20 * 4], timer_isr
    mov word [0x20 * 4 + 2], 0
    mov word [0x24 * 4], uart_isr
    mov word [0x24 * 4 + 2], 0
    ; 8259: ICW1-4, master at 0x20, slave at 0x28; unmask IRQ 0 and IRQ 4
    PIC_INIT 0xEE
    ; PIT channel 0, mode 2, 1 kHz
    mov al, 0x34
    out 0x43, al
    mov ax, 1193
    out 0x40, al
    mov al, ah
    out 0x40, al
    ; COM1: FIFO on (trigger 1), received-data interrupts, OUT2
    mov dx, 0x3FA
    mov al, 0x07
    out dx, al
    mov dx, 0x3FC
    mov al, 0x0B
    out dx, al
    mov dx, 0x3F9
    mov al, 0x01
    out dx, al
    mov si, msg
    call puts
    sti
.loop:
    cli
    mov bx, [tail]
    cmp bx, [head]
    jne .byte
    cmp byte [seen_dot], 0
    je .sleep
    cmp word [ticks], 50
    jae .done
.sleep:
    sti
    hlt                             ; STI; HLT: no interrupt can slip in between
    jmp .loop
.byte:
    sti
    mov al, [queue + bx]
    inc bx
    and bx, 0xFF
    mov [tail], bx
    cmp al, '.'
    jne .echo
    mov byte [seen_dot], 1
    jmp .loop
.echo:
    cmp al, 'a'
    jb .out
    cmp al, 'z'
    ja .out
    sub al, 0x20
.out:
    call putc
    inc byte [echoed]
    jmp .loop
.done:
    mov al, 0x30
    out 0x43, al                    ; stop the PIT
    mov si, msg_done
    call puts
    mov al, [echoed]
    out 0xF4, al
    hlt

timer_isr:
    push ax
    inc word [cs:ticks]
    mov al, 0x20
    out 0x20, al
    pop ax
    iret

uart_isr:
    push ax
    push bx
    push dx
.more:
    mov dx, 0x3FD
    in al, dx
    test al, 1
    jz .empty
    mov dx, 0x3F8
    in al, dx
    mov bx, [cs:head]
    mov [cs:queue + bx], al
    inc bx
    and bx, 0xFF
    mov [cs:head], bx
    jmp .more
.empty:
    mov al, 0x20
    out 0x20, al
    pop dx
    pop bx
    pop ax
    iret

%include "com1-16.inc"

puts:
    lodsb
    test al, al
    jz .end
    call putc
    jmp puts
.end:
    ret

msg:      db 'irqguest: IRQ 0 and IRQ 4 through the 8259, type text and a dot', 10, 0
msg_done: db 10, 'irqguest: done', 10, 0
ticks:    dw 0
head:     dw 0
tail:     dw 0
seen_dot: db 0
echoed:   db 0
queue:    times 256 db 0

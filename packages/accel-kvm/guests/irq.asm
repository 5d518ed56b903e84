; Interrupt guest: installs a real-mode handler for vector 0x20, then STI; HLT until three
; timer interrupts have arrived; the handler prints 't'. Exits 3 (status 7).
%include "common.inc"
        bits 16
        org 0x8000
start:  cli
        xor ax, ax
        mov ds, ax
        mov ss, ax
        mov sp, 0x7000
        mov word [0x20 * 4], tick
        mov word [0x20 * 4 + 2], 0
        mov byte [count], 0
.wait:  sti
        hlt
        cli
        cmp byte [count], 3
        jb .wait
        mov al, 10
        mov dx, COM1
        out dx, al
        mov al, 3
        out DEBUG_EXIT, al
        hlt
tick:   push ax
        push dx
        inc byte [count]
        mov al, 't'
        mov dx, COM1
        out dx, al
        pop dx
        pop ax
        iret
count:  db 0

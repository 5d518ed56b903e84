; Real-mode guest: prints with one string I/O instruction (rep outsb) and single OUTs, exits 0x10.
%include "common.inc"
        bits 16
        org 0x8000
start:  cli
        xor ax, ax
        mov ds, ax
        mov ss, ax
        mov sp, 0x7000
        cld
        mov si, msg
        mov cx, msg_len
        mov dx, COM1
        rep outsb                   ; one exit with count > 1 (or several, as KVM splits it)
        mov al, '!'
        out dx, al
        mov al, 10
        out dx, al
        mov al, 0x10
        out DEBUG_EXIT, al          ; status (0x10 << 1) | 1 = 33
        hlt
msg:    db "real mode ok"
msg_len equ $ - msg

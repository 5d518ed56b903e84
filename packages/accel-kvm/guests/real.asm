; Real-mode guest: prints with string output (rep outsb) and single OUTs, reads four bytes with
; string input (rep insb) and reports them, exits 0x10.
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
        push ds
        pop es
        mov di, buf
        mov cx, 4
        mov dx, CHECKPOINT
        rep insb                    ; string input: four reads of the checkpoint port
        mov eax, [buf]
        out REPORT, eax
        mov al, 0x10
        out DEBUG_EXIT, al          ; status (0x10 << 1) | 1 = 33
        hlt
msg:    db "real mode ok"
msg_len equ $ - msg
buf:    dd 0

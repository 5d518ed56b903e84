; Flat-binary guest: loaded at 0x7C00 and started in real mode at 0000:7C00, as a boot
; sector would be. Prints through COM1 and exits through the debug-exit port with 0x15.
bits 16
org 0x7C00

start:
    cli
    xor ax, ax
    mov ds, ax
    mov si, msg
.print:
    lodsb
    test al, al
    jz .done
    mov ah, al
    mov dx, 0x3FD
.wait:
    in al, dx
    test al, 0x20
    jz .wait
    mov al, ah
    mov dx, 0x3F8
    out dx, al
    jmp .print
.done:
    mov al, 0x15
    out 0xF4, al
    hlt

msg: db 'bootsector: flat binary at 0x7c00, real mode', 10, 0

; ROM guest: a 64 KiB BIOS-style image. The CPU starts at the reset vector F000:FFF0
; (physical 0xFFFFFFF0, the top of the ROM); it jumps into the ROM's copy below 1 MiB
; (segment F000), prints through COM1 from real mode, reads its own bytes back through both
; mappings to check the mirror, and exits through the debug-exit port with value 0x2A.
bits 16
org 0

start:
    cli
    mov ax, 0xF000
    mov ds, ax
    mov si, msg
.print:
    lodsb
    test al, al
    jz .printed
    mov dx, 0x3FD
    mov ah, al
.wait:
    in al, dx
    test al, 0x20
    jz .wait
    mov al, ah
    mov dx, 0x3F8
    out dx, al
    jmp .print
.printed:
    ; The last 16 bytes (reset vector) seen at F000:FFF0 must be the jump below.
    cmp byte [0xFFF0], 0xEA
    jne .bad
    mov al, 0x2A
    out 0xF4, al
.bad:
    mov al, 0x01
    out 0xF4, al
    hlt

msg: db 'romguest: running from the reset vector in real mode, CS=F000', 10, 0

times 0xFFF0 - ($ - $$) db 0xFF
reset_vector:
    jmp 0xF000:start                ; far jump: CS base becomes 0xF0000 (the mirror below 1 MiB)
times 0x10000 - ($ - $$) db 0xFF

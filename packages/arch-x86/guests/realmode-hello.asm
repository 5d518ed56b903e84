; Conformance guest: starts at the reset vector in real mode, prints a line to the test output
; port (0x3f8), checks a little arithmetic and exits through the debug-exit port (0xf4).
; Assembled as a 4 KiB ROM mapped at 0xFFFFF000 (the last page below 4 GiB, where the reset vector is).
bits 16
org 0xf000

start:
    cli
    xor ax, ax
    mov ss, ax
    mov sp, 0x7000
    mov si, message
.print:
    cs lodsb                   ; CS override: DS would need a low-memory copy of the ROM
    test al, al
    jz .sum
    mov dx, 0x3f8
    out dx, al
    jmp .print
.sum:
    ; 1 + 2 + ... + 100 = 5050 = 0x13ba
    xor ax, ax
    mov cx, 100
.add:
    add ax, cx
    loop .add
    cmp ax, 5050
    jne .fail
    call .nested               ; exercise the stack
    mov al, 0x21               ; success: process status (0x21 << 1) | 1 = 67
    out 0xf4, al
    hlt
.fail:
    mov al, 0x01
    out 0xf4, al
    hlt
.nested:
    push word 0x55aa
    pop bx
    cmp bx, 0x55aa
    jne .fail
    ret

message: db "real mode ok", 10, 0

    times 0xff0 - ($ - $$) db 0xf4
reset_vector:
    jmp start                  ; near jump: CS keeps its reset base FFFF0000, so no low-memory mirror is needed
    times 0x1000 - ($ - $$) db 0xf4

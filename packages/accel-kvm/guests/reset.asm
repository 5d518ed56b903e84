; Reset guest: counts boots in RAM at 0x500 (RAM survives a system reset), prints the count,
; requests a reset on the first boot, exits with the count on the second (status 5).
%include "common.inc"
        bits 16
        org 0x8000
start:  cli
        xor ax, ax
        mov ds, ax
        inc byte [0x500]
        mov dx, COM1
        mov al, 'b'
        out dx, al
        mov al, [0x500]
        add al, '0'
        out dx, al
        mov al, 10
        out dx, al
        cmp byte [0x500], 2
        jae .exit
        mov al, 0xfe
        out RESET_PORT, al
.spin:  jmp .spin                   ; never gets further: the machine resets
.exit:  mov al, [0x500]
        out DEBUG_EXIT, al          ; status (2 << 1) | 1 = 5
        hlt

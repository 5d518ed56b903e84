; Triple fault: with an empty IDT, INT3 → #GP (vector beyond the IDT limit) → #DF → shutdown.
; QEMU (-no-reboot) exits with status 0; tsvm-tcg must report a shutdown.
%include "lib/rom.inc"
test_main:
        mov esi, msg
        call puts
        lidt [empty_idt]
        int3
        mov esi, msg_bad
        call puts
        mov al, 0x55
        ret
msg:     db "before the triple fault", 10, 0
msg_bad: db "still running: wrong", 10, 0
empty_idt: dw 0
           dd 0
%include "lib/rom-end.inc"

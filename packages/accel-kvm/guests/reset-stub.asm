; The last 4 KiB below 4 GiB: at the reset vector (F000:FFF0, physical FFFFFFF0) jump to the
; test guest loaded at 0000:8000. Assembled to a 4096-byte ROM image mapped at 0xFFFFF000.
        bits 16
        org 0xf000
        times 0xff0 - ($ - $$) db 0xf4      ; hlt filler
reset:  jmp 0x0000:0x8000
        times 0x1000 - ($ - $$) db 0xf4

; 32-bit protected-mode guest: enters PM, prints, writes ROM (must be dropped), talks to an
; MMIO window at 0xE0000000, reports what it read, exits 0x11.
%include "common.inc"
%include "enter-protected-mode.inc"
        mov esi, msg
        mov ecx, msg_len
        mov dx, COM1
.print: lodsb
        out dx, al
        loop .print
        mov byte [0xfffff000], 0xa5 ; ROM: the write exits as MMIO and is dropped
        mov eax, [0xfffff000]
        out REPORT, eax             ; report 1: ROM contents after the write
        mov dword [0xe0000000], 0x1234abcd
        mov eax, [0xe0000000]
        out REPORT, eax             ; report 2: what the MMIO device answered
        mov al, 0x11
        out DEBUG_EXIT, al          ; status 35
        hlt
msg:    db "protected mode ok", 10
msg_len equ $ - msg
        align 8
gdt:    dq 0
        dq 0x00cf9a000000ffff       ; 0x08: flat 32-bit code
        dq 0x00cf92000000ffff       ; 0x10: flat data
gdt_ptr: dw $ - gdt - 1
        dd gdt

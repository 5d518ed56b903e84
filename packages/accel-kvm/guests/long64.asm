; 64-bit long-mode guest: PM, PAE page tables (identity map of the first 2 MiB), EFER.LME,
; paging on, 64-bit code; prints with rep outsb, does 64-bit arithmetic, exits 0x12.
%include "common.inc"
%include "enter-long-mode.inc"
        bits 64
lm:     mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov rsp, 0x7000
        mov rsi, msg
        mov rcx, msg_len
        mov dx, COM1
        rep outsb
        mov rax, 0x123456789
        mov rbx, 0x10
        mul rbx                     ; rax = 0x1234567890: needs 64-bit registers
        shr rax, 32
        out REPORT, eax             ; report: 0x12
        mov al, 0x12
        out DEBUG_EXIT, al          ; status 37
        hlt
msg:    db "long mode ok", 10
msg_len equ $ - msg
        align 8
gdt:    dq 0
        dq 0x00cf9a000000ffff       ; 0x08: 32-bit code
        dq 0x00cf92000000ffff       ; 0x10: data
        dq 0x00af9a000000ffff       ; 0x18: 64-bit code (L=1)
gdt_ptr: dw $ - gdt - 1
        dd gdt

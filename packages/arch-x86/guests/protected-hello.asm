; Conformance guest: reset vector → real mode → 32-bit protected mode with a flat GDT,
; prints a line, checks a memory round-trip above 1 MiB, exits through port 0xf4.
; Assembled as a 4 KiB ROM mapped at 0xFFFFF000.
bits 16
org 0xf000

start:
    cli
    o32 lgdt [cs:gdt_descriptor]
    mov eax, cr0
    or eax, 1
    mov cr0, eax
    jmp dword 0x08:(0xffff0000 + pmode)

bits 32
pmode:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov esp, 0x90000
    mov esi, 0xffff0000 + message
.print:
    lodsb
    test al, al
    jz .memory
    mov dx, 0x3f8
    out dx, al
    jmp .print
.memory:
    mov dword [0x100000], 0xcafef00d   ; above 1 MiB: needs the A20 gate open
    mov eax, [0x100000]
    cmp eax, 0xcafef00d
    jne .fail
    mov al, 0x22                        ; success: status (0x22 << 1) | 1 = 69
    out 0xf4, al
    hlt
.fail:
    mov al, 0x01
    out 0xf4, al
    hlt

message: db "protected mode ok", 10, 0

align 8
gdt:
    dq 0
    ; Accessed bits preset (9b/93): this GDT lives in ROM, and a CPU loading a descriptor whose
    ; accessed bit is clear writes it back. Hardware drops that write to ROM, but KVM with a
    ; read-only memslot retries it forever (seen on kvm_pvm), so the guest must not need it.
    dq 0x00cf9b000000ffff      ; 0x08: code, base 0, limit 4 GiB, 32-bit
    dq 0x00cf93000000ffff      ; 0x10: data, base 0, limit 4 GiB
gdt_descriptor:
    dw gdt_descriptor - gdt - 1
    dd 0xffff0000 + gdt

    times 0xff0 - ($ - $$) db 0xf4
bits 16
reset_vector:
    jmp start                  ; near jump: CS keeps its reset base FFFF0000
    times 0x1000 - ($ - $$) db 0xf4

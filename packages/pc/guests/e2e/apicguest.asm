; Local APIC guest (one CPU, interrupts off): reads the APIC base MSR and the ID and version
; registers, software-enables the APIC, runs the timer once and watches its vector arrive in
; IRR, sends INIT and SIPI to a CPU that is not there (accepted, delivery status idle), sends
; itself a fixed IPI, and acknowledges with EOI. Exits with value 0x11 when all of it behaved.
bits 32
org 0x100000
%include "lib.inc"
    MULTIBOOT_HEADER

APIC equ 0xFEE00000

entry:
    mov esp, stack_top
    mov esi, msg_start
    call puts
    mov ecx, 0x1B
    rdmsr
    mov esi, msg_msr
    call puts
    call print_hex
    mov al, 10
    call putc
    mov esi, msg_id
    call puts
    mov eax, [APIC + 0x20]
    shr eax, 24
    call print_dec
    mov esi, msg_version
    call puts
    mov eax, [APIC + 0x30]
    and eax, 0xFF
    call print_hex
    mov al, 10
    call putc

    mov dword [APIC + 0xF0], 0x1FF  ; SVR: software enable, spurious vector 0xFF
    mov dword [APIC + 0x320], 0x40  ; LVT timer: one-shot, vector 0x40
    mov dword [APIC + 0x3E0], 0x0B  ; divide by 1
    mov dword [APIC + 0x380], 200000 ; 200 µs at 1 GHz
.count:
    mov eax, [APIC + 0x390]
    test eax, eax
    jnz .count
.irr:
    test dword [APIC + 0x220], 1    ; IRR bit of vector 0x40
    jz .irr
    mov esi, msg_timer
    call puts

    mov dword [APIC + 0x310], 1 << 24
    mov dword [APIC + 0x300], 0x00004500 ; INIT, level assert
    mov dword [APIC + 0x300], 0x00004608 ; SIPI, vector 08
    test dword [APIC + 0x300], 1 << 12
    jnz fail
    mov esi, msg_sipi
    call puts

    mov dword [APIC + 0x300], 0x00040050 ; fixed IPI to self, vector 0x50
    test dword [APIC + 0x220], 1 << 16 ; IRR bit of vector 0x50
    jz fail
    mov esi, msg_self
    call puts
    mov dword [APIC + 0xB0], 0      ; EOI with nothing in service: harmless
    test dword [APIC + 0x100 + 0x20], 1 ; ISR empty for 0x40 (never acknowledged: IF=0)
    jnz fail
    mov al, 0x11
    call debug_exit
fail:
    mov esi, msg_fail
    call puts
    mov al, 0x01
    call debug_exit

; print_hex: EAX as 0x%08x
print_hex:
    pushad
    mov edx, eax
    mov al, '0'
    call putc
    mov al, 'x'
    call putc
    mov ecx, 8
.digit:
    rol edx, 4
    mov eax, edx
    and eax, 0xF
    mov al, [hex_digits + eax]
    call putc
    loop .digit
    popad
    ret

hex_digits: db '0123456789abcdef'
msg_start:   db 'apicguest: local APIC', 10, 0
msg_msr:     db '  IA32_APIC_BASE = ', 0
msg_id:      db '  APIC ID ', 0
msg_version: db ', version ', 0
msg_timer:   db '  one-shot timer expired, vector 0x40 in IRR', 10, 0
msg_sipi:    db '  INIT and SIPI to APIC 1 accepted', 10, 0
msg_self:    db '  self IPI vector 0x50 in IRR', 10, 0
msg_fail:    db '  FAILED', 10, 0
end_of_data:

section .bss align=16
stack:     resb 4096
stack_top:
end_of_bss:

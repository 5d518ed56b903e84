; Local APIC NMI guest in real mode (issue 10 §4), a flat binary at 0x7C00, one CPU. The same
; checks as nmiguest except the task gate, in the mode software KVM (kvm_pvm) can run: its
; instruction emulator has no protected-mode IRET, which every NMI handler ends with. The APIC
; page at 0xFEE00000 is reached through FS with a 4 GiB limit loaded in protected mode (unreal
; mode); handlers are IVT entries and end with a real-mode IRET.
; * NMI IPIs (ICR delivery mode 100b) to itself by destination ID, by the self shorthand and by
;   all-including-self arrive as vector 2;
; * a second NMI sent from inside the NMI handler is held until the handler's IRET;
; * LINT0 programmed as NMI turns an 8259 request (PIT IRQ 0) into an NMI;
; * two fixed self-IPIs (vectors 32 and 33) sent with IF=0 both arrive after STI, 33 first, and
;   32 only after 33's EOI.
; Exits with value 0x13 (status 39) when all of it behaved.
bits 16
org 0x7C00
%include "pic.inc"

APIC     equ 0xFEE00000
SPIN     equ 1000000                ; how long to wait for an interrupt before calling it lost
%define  APICREG(r) fs:dword APIC + r
ICR_LO   equ 0x300
ICR_HI   equ 0x310

; WAIT_FOR var, value: spin until dword [var] == value, or fail with message %3.
%macro WAIT_FOR 3
    mov ecx, SPIN
%%spin:
    cmp dword [%1], %2
    je %%ok
    pause
    dec ecx
    jnz %%spin
    mov si, %3
    jmp fail
%%ok:
%endmacro

start:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7000
    ; Unreal mode: load FS from a flat 4 GiB data descriptor, then leave protected mode; FS keeps
    ; its limit (never reload it in real mode, which would set the limit back to 64 KiB).
    lgdt [gdt_ptr]
    mov eax, cr0
    or al, 1
    mov cr0, eax
    jmp 0x08:.protected
.protected:
    mov bx, 0x10
    mov fs, bx
    and al, 0xFE
    mov cr0, eax
    jmp 0:.real
.real:
    mov si, msg_start
    call puts
    ; IVT: every vector to `unexpected`, then 2 (NMI), 32 and 33 (fixed IPIs)
    xor di, di
    mov cx, 256
.fill:
    mov word [di], unexpected
    mov word [di + 2], 0
    add di, 4
    loop .fill
    mov word [2 * 4], nmi_handler
    mov word [32 * 4], vec32_handler
    mov word [33 * 4], vec33_handler
    mov dword [APICREG(0xF0)], 0x1FF ; SVR: software enable, spurious vector 0xFF
    mov eax, [APICREG(0x20)]         ; this CPU's APIC ID, for the destination field
    mov [APICREG(ICR_HI)], eax

    ; --- NMI IPIs to self -----------------------------------------------------------
    mov dword [APICREG(ICR_LO)], 0x00000400 ; NMI, physical destination = own ID
    WAIT_FOR nmi_count, 1, msg_lost_dest
    mov dword [APICREG(ICR_LO)], 0x00040400 ; NMI, shorthand self
    WAIT_FOR nmi_count, 2, msg_lost_self
    mov dword [APICREG(ICR_LO)], 0x00080400 ; NMI, shorthand all including self
    WAIT_FOR nmi_count, 3, msg_lost_all
    mov si, msg_ipi
    call puts

    ; --- a second NMI waits for the first one's IRET ----------------------------------
    mov dword [nested_test], 1
    mov dword [APICREG(ICR_LO)], 0x00040400
    WAIT_FOR nmi_count, 5, msg_lost_nested
    cmp dword [nested_seen], 0
    jne .nested_bad
    mov si, msg_blocked
    call puts
    jmp .lint0
.nested_bad:
    mov si, msg_not_blocked
    jmp fail

    ; --- LINT0 as NMI: an 8259 request (PIT IRQ 0) arrives as an NMI --------------------
.lint0:
    mov dword [APICREG(0x350)], 0x400 ; LVT LINT0: NMI
    PIC_INIT 0xFE                   ; 8259: vectors 0x20/0x28, only IRQ 0 unmasked
    mov al, 0x30                    ; PIT channel 0, mode 0 (one shot), count 100
    out 0x43, al
    mov al, 100
    out 0x40, al
    xor al, al
    out 0x40, al
    WAIT_FOR nmi_count, 6, msg_lost_lint0
    mov al, 0xFF                    ; mask the 8259 again: its request is never acknowledged
    out 0x21, al
    mov dword [APICREG(0x350)], 0x10000 ; LINT0 masked
    mov si, msg_lint0
    call puts

    ; --- back-to-back fixed self-IPIs -----------------------------------------------------
    mov dword [APICREG(ICR_LO)], 0x00040020 ; fixed, self, vector 32
    mov dword [APICREG(ICR_LO)], 0x00040021 ; fixed, self, vector 33
    sti
    WAIT_FOR fixed_count, 2, msg_lost_fixed
    cli
    cmp dword [fixed_order], 0x2120 ; 33 first (high byte), then 32
    jne .order_bad
    mov si, msg_fixed
    call puts
    mov al, 0x13
    out 0xF4, al
    hlt
.order_bad:
    mov si, msg_order
    jmp fail

fail:
    call puts
    mov al, 0x01
    out 0xF4, al
    hlt

nmi_handler:
    push eax
    push ecx
    inc dword [nmi_count]
    cmp dword [nested_test], 1
    jne .done
    mov dword [nested_test], 2
    mov eax, [nmi_count]
    mov dword [APICREG(ICR_LO)], 0x00040400 ; another NMI now: it must wait for our IRET
    mov ecx, SPIN / 10
.spin:
    cmp [nmi_count], eax
    jne .seen
    dec ecx
    jnz .spin
    jmp .done
.seen:
    mov dword [nested_seen], 1
.done:
    pop ecx
    pop eax
    iret

; Fixed IPI handlers: record the order and check that the other vector is not in service.
vec32_handler:
    push eax
    mov eax, [APICREG(0x110)]       ; ISR bits 32-63
    cmp eax, 1                      ; only 32 in service: 33 had its EOI already
    jne .bad
    shl dword [fixed_order], 8
    or dword [fixed_order], 0x20
    inc dword [fixed_count]
    mov dword [APICREG(0xB0)], 0
    pop eax
    iret
.bad:
    mov si, msg_isr32
    jmp fail

vec33_handler:
    push eax
    mov eax, [APICREG(0x110)]
    cmp eax, 2                      ; only 33 in service
    jne .bad
    shl dword [fixed_order], 8
    or dword [fixed_order], 0x21
    inc dword [fixed_count]
    mov dword [APICREG(0xB0)], 0
    pop eax
    iret
.bad:
    mov si, msg_isr33
    jmp fail

unexpected:
    mov si, msg_unexpected
    jmp fail

%include "com1-16.inc"

; puts: SI = NUL-terminated string
puts:
    push ax
    push si
.next:
    lodsb
    test al, al
    jz .done
    call putc
    jmp .next
.done:
    pop si
    pop ax
    ret

align 8
gdt:
    dq 0
    dq 0x00009A000000FFFF           ; 0x08 16-bit code, base 0, 64 KiB
    dq 0x00CF92000000FFFF           ; 0x10 flat data, 4 GiB
gdt_end:
gdt_ptr:
    dw gdt_end - gdt - 1
    dd gdt

msg_start:       db 'nmireal: local APIC NMIs and self-IPIs in real mode', 10, 0
%include "nmi-messages.inc"

align 4
nmi_count:   dd 0
nested_test: dd 0
nested_seen: dd 0
fixed_count: dd 0
fixed_order: dd 0

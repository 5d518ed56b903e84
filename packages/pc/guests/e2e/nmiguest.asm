; Local APIC NMI guest (issue 10 §4), Multiboot, unpaged 32-bit protected mode, one CPU:
; * NMI IPIs (ICR delivery mode 100b) to itself by destination ID, by the self shorthand and by
;   all-including-self arrive as vector 2;
; * a second NMI sent from inside the NMI handler is held until the handler's IRET;
; * LINT0 programmed as NMI turns an 8259 request (PIT IRQ 0) into an NMI;
; * an NMI through a task gate in the IDT runs the NMI task, and its IRET (NT) unblocks NMIs;
; * two fixed self-IPIs (vectors 32 and 33) sent with IF=0 both arrive after STI, 33 first, and
;   32 only after 33's EOI.
; Exits with value 0x12 (status 37) when all of it behaved.
bits 32
org 0x100000
%include "lib.inc"
%include "pic.inc"
    MULTIBOOT_HEADER

APIC     equ 0xFEE00000
ICR_LO   equ APIC + 0x300
ICR_HI   equ APIC + 0x310
SEL_CODE equ 0x08
SEL_DATA equ 0x10
SEL_TSS  equ 0x18
SEL_NMIT equ 0x20
SPIN     equ 1000000                ; how long to wait for an interrupt before calling it lost

; WAIT_FOR var, value: spin until dword [var] == value, or fail with message %3.
%macro WAIT_FOR 3
    mov ecx, SPIN
%%spin:
    cmp dword [%1], %2
    je %%ok
    pause
    loop %%spin
    mov esi, %3
    jmp fail
%%ok:
%endmacro

entry:
    cli
    mov esp, stack_top
    lgdt [gdt_ptr]
    jmp SEL_CODE:.reload
.reload:
    mov ax, SEL_DATA
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov esi, msg_start
    call puts
    ; IDT: every vector to `unexpected`, then 2 (NMI), 32 and 33 (fixed IPIs)
    mov edi, idt
    mov ecx, 256
.fill:
    mov eax, unexpected
    call set_gate
    add edi, 8
    loop .fill
    mov edi, idt + 2 * 8
    mov eax, nmi_handler
    call set_gate
    mov edi, idt + 32 * 8
    mov eax, vec32_handler
    call set_gate
    mov edi, idt + 33 * 8
    mov eax, vec33_handler
    call set_gate
    lidt [idt_ptr]
    ; TSSes: the main task's (saved into on a task switch) and the NMI task's
    mov dword [nmi_tss + 0x20], nmi_task      ; EIP
    mov dword [nmi_tss + 0x24], 0x2           ; EFLAGS
    mov dword [nmi_tss + 0x38], nmi_stack_top ; ESP
    mov dword [nmi_tss + 0x4c], SEL_CODE      ; CS
    mov dword [nmi_tss + 0x48], SEL_DATA      ; ES
    mov dword [nmi_tss + 0x50], SEL_DATA      ; SS
    mov dword [nmi_tss + 0x54], SEL_DATA      ; DS
    mov ax, SEL_TSS
    ltr ax
    mov dword [APIC + 0xF0], 0x1FF  ; SVR: software enable, spurious vector 0xFF
    mov eax, [APIC + 0x20]          ; this CPU's APIC ID, for the destination field
    mov [ICR_HI], eax

    ; --- NMI IPIs to self -----------------------------------------------------------
    mov dword [ICR_LO], 0x00000400  ; NMI, physical destination = own ID
    WAIT_FOR nmi_count, 1, msg_lost_dest
    mov dword [ICR_LO], 0x00040400  ; NMI, shorthand self
    WAIT_FOR nmi_count, 2, msg_lost_self
    mov dword [ICR_LO], 0x00080400  ; NMI, shorthand all including self
    WAIT_FOR nmi_count, 3, msg_lost_all
    mov esi, msg_ipi
    call puts

    ; --- a second NMI waits for the first one's IRET ----------------------------------
    mov dword [nested_test], 1
    mov dword [ICR_LO], 0x00040400
    WAIT_FOR nmi_count, 5, msg_lost_nested
    cmp dword [nested_seen], 0
    jne .nested_bad
    mov esi, msg_blocked
    call puts
    jmp .lint0
.nested_bad:
    mov esi, msg_not_blocked
    jmp fail

    ; --- LINT0 as NMI: an 8259 request (PIT IRQ 0) arrives as an NMI --------------------
.lint0:
    mov dword [APIC + 0x350], 0x400 ; LVT LINT0: NMI
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
    mov dword [APIC + 0x350], 0x10000 ; LINT0 masked
    mov esi, msg_lint0
    call puts

    ; --- NMI through a task gate ---------------------------------------------------------
    mov word [idt + 2 * 8], 0
    mov word [idt + 2 * 8 + 2], SEL_NMIT
    mov word [idt + 2 * 8 + 4], 0x8500 ; present, DPL 0, task gate
    mov word [idt + 2 * 8 + 6], 0
    mov dword [ICR_LO], 0x00040400
    WAIT_FOR task_count, 1, msg_lost_task
    mov dword [ICR_LO], 0x00040400  ; the task's IRET unblocked NMIs: a second one gets in
    WAIT_FOR task_count, 2, msg_lost_task2
    mov esi, msg_task
    call puts

    ; --- back-to-back fixed self-IPIs -----------------------------------------------------
    mov dword [ICR_LO], 0x00040020  ; fixed, self, vector 32
    mov dword [ICR_LO], 0x00040021  ; fixed, self, vector 33
    sti
    WAIT_FOR fixed_count, 2, msg_lost_fixed
    cli
    cmp dword [fixed_order], 0x2120 ; 33 first (high byte), then 32
    jne .order_bad
    mov esi, msg_fixed
    call puts
    mov al, 0x12
    call debug_exit
.order_bad:
    mov esi, msg_order
    jmp fail

fail:
    call puts
    mov al, 0x01
    call debug_exit

; set_gate: EDI = gate, EAX = handler (32-bit interrupt gate, DPL 0)
set_gate:
    mov word [edi], ax
    mov word [edi + 2], SEL_CODE
    mov word [edi + 4], 0x8E00
    shr eax, 16
    mov word [edi + 6], ax
    ret

nmi_handler:
    push eax
    push ecx
    inc dword [nmi_count]
    cmp dword [nested_test], 1
    jne .done
    mov dword [nested_test], 2
    mov eax, [nmi_count]
    mov dword [ICR_LO], 0x00040400  ; another NMI now: it must wait for our IRET
    mov ecx, SPIN / 10
.spin:
    cmp [nmi_count], eax
    jne .seen
    loop .spin
    jmp .done
.seen:
    mov dword [nested_seen], 1
.done:
    pop ecx
    pop eax
    iret

; The NMI task: runs on its own TSS, counts, returns with IRET (NT) and starts again here.
nmi_task:
    inc dword [task_count]
    iret
    jmp nmi_task

; Fixed IPI handlers: record the order and check that the other vector is not in service.
vec32_handler:
    push eax
    mov eax, [APIC + 0x110]         ; ISR bits 32-63
    cmp eax, 1                      ; only 32 in service: 33 had its EOI already
    jne .bad
    shl dword [fixed_order], 8
    or dword [fixed_order], 0x20
    inc dword [fixed_count]
    mov dword [APIC + 0xB0], 0
    pop eax
    iret
.bad:
    mov esi, msg_isr32
    jmp fail

vec33_handler:
    push eax
    mov eax, [APIC + 0x110]
    cmp eax, 2                      ; only 33 in service
    jne .bad
    shl dword [fixed_order], 8
    or dword [fixed_order], 0x21
    inc dword [fixed_count]
    mov dword [APIC + 0xB0], 0
    pop eax
    iret
.bad:
    mov esi, msg_isr33
    jmp fail

unexpected:
    mov esi, msg_unexpected
    jmp fail

align 8
gdt:
    dq 0
    dq 0x00CF9A000000FFFF           ; 0x08 code
    dq 0x00CF92000000FFFF           ; 0x10 data
    dw 0x67, main_tss - 0x100000, 0x8910, 0 ; 0x18 main TSS (base 0x10xxxx), available
    dw 0x67, nmi_tss - 0x100000, 0x8910, 0  ; 0x20 NMI task's TSS
gdt_end:
gdt_ptr:
    dw gdt_end - gdt - 1
    dd gdt
idt_ptr:
    dw 256 * 8 - 1
    dd idt

msg_start:       db 'nmiguest: local APIC NMIs and self-IPIs', 10, 0
%include "nmi-messages.inc"
msg_task:        db '  NMI through a task gate, twice (IRET with NT unblocks NMIs)', 10, 0
msg_lost_task:   db '  FAILED: NMI through the task gate not delivered', 10, 0
msg_lost_task2:  db '  FAILED: second NMI through the task gate not delivered', 10, 0
end_of_data:

section .bss align=16
idt:         resb 256 * 8
main_tss:    resb 0x68
nmi_tss:     resb 0x68
nmi_count:   resd 1
nested_test: resd 1
nested_seen: resd 1
task_count:  resd 1
fixed_count: resd 1
fixed_order: resd 1
             resb 4096
nmi_stack_top:
stack:       resb 4096
stack_top:
end_of_bss:

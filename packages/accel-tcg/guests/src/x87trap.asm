; x87 exceptions the way Linux drives them: lazy FPU switching between two "tasks" (CR0.TS set
; on every switch; the #NM handler does CLTS, FNSAVEs the previous owner's state and FRSTORs
; the new owner's), CR0.EM (#NM for every escape), CR0.MP with TS (WAIT faults only then), an
; unmasked exception reported as #MF at the next FWAIT with CR0.NE = 1, and with CR0.NE = 0 as
; IRQ 13 through the 8259 (FERR#), acknowledged by an OUT to port 0xF0.
; Runs on a PC board (8259 pair), under QEMU and tsvm alike.
; BOARD: pc
; REFERENCE: sdm — QEMU 7.2 departs from the SDM twice here, so the expected transcript was
; checked by hand against the SDM: (1) FDIVP with an unmasked divide-by-zero pops the stack and
; stores infinity on QEMU; the SDM (Vol. 1 §8.5.3, §4.9.2) leaves the operands and TOP
; unchanged, so the status word after it reads b084 (ES, B, ZE, TOP = 6), not QEMU's b884
; (TOP = 7);
; (2) with CR0.NE = 0, QEMU's FWAIT does not deliver IRQ 13, where the SDM (Vol. 1 §8.7 and
; Appendix D) has FERR# raise it through the 8259, so tsvm's line shows the handler ('*').
%include "lib/rom.inc"
%include "lib/x87.inc"

CTX_A   equ SCRATCH + 0x200         ; FNSAVE areas of the two tasks
CTX_B   equ SCRATCH + 0x300
OWNER   equ SCRATCH + 0x400         ; address of the owner's area (0 = none)
CURRENT equ SCRATCH + 0x404         ; the running task's area
BIG_IDT equ 0x11000                 ; 256-entry IDT (install_idt's covers only 0-31)

%macro SAY 1
        push eax
        mov al, %1
        call putc
        pop eax
%endmacro

; set_gate vector, handler
%macro SET_GATE 2
        mov eax, %2
        mov word [BIG_IDT + %1 * 8], ax
        mov word [BIG_IDT + %1 * 8 + 2], SEL_CODE32
        mov word [BIG_IDT + %1 * 8 + 4], 0x8e00
        shr eax, 16
        mov word [BIG_IDT + %1 * 8 + 6], ax
%endmacro

test_main:
        call install_idt
        ; Copy the 32 exception gates into a 256-entry IDT and add ours.
        mov esi, IDT_BASE
        mov edi, BIG_IDT
        mov ecx, 32 * 2
        rep movsd
        SET_GATE 7, nm_handler
        SET_GATE 16, mf_handler
        SET_GATE 0x2d, irq13_handler
        lidt [big_idt_ptr]

        ; ---- lazy switching (CR0.MP | NE, TS set at every switch) ----------------------
        mov eax, cr0
        or eax, 0x22                    ; MP | NE
        and eax, ~0x04                  ; EM off
        mov cr0, eax
        mov dword [OWNER], 0
        mov dword [CURRENT], CTX_A
        call switch_to                  ; TS = 1
        fninit                          ; #NM: the first use by task A
        fld1
        fldpi
        call switch_to_b                ; TS = 1, current = B
        fninit                          ; #NM: A's state is saved, B starts fresh
        fldl2e
        fld st0
        faddp st1, st0
        call switch_to_a
        faddp st1, st0                  ; #NM: B saved, A restored: 1 + pi
        fnstsw ax
        call print_sw
        fstp tword [SCRATCH]
        mov esi, SCRATCH
        call print_f80
        call nl_out
        call switch_to_b
        fstp tword [SCRATCH]            ; #NM: B's 2·log2(e) comes back
        mov esi, SCRATCH
        call print_f80
        call nl_out
        ; WAIT with TS but not MP does not fault; with MP it does.
        mov eax, cr0
        and eax, ~0x02
        or eax, 0x08
        mov cr0, eax
        SAY 'w'
        wait
        SAY 'W'
        or eax, 0x02
        mov cr0, eax
        wait                            ; #NM (MP and TS)
        SAY 'V'
        call nl_out
        ; CR0.EM: every escape raises #NM, even FNINIT; the handler clears EM this time.
        mov eax, cr0
        or eax, 0x04
        and eax, ~0x08
        mov cr0, eax
        mov byte [em_mode], 1
        fninit
        mov byte [em_mode], 0
        SAY 'E'
        call nl_out

        ; ---- #MF with CR0.NE = 1 ---------------------------------------------------------
        clts
        fninit
        fldcw [cw_unmask_ze]
        fld1
        fldz
        fdivp st1, st0                  ; ZE unmasked: ES and B pending, no result stored
        fnstsw ax
        call print_sw
        SAY 'm'
        fwait                           ; #MF
        SAY 'M'
        call nl_out

        ; ---- IRQ 13 with CR0.NE = 0 --------------------------------------------------------
        call init_pics
        mov eax, cr0
        and eax, ~0x20
        mov cr0, eax
        fninit
        fldcw [cw_unmask_ze]
        fld1
        fldz
        fdivp st1, st0
        sti
        SAY 'i'
        fwait                           ; FERR# → IRQ 13 → vector 0x2d
        nop
        SAY 'I'
        cli
        call nl_out
        xor eax, eax
        ret

; switch_to_a / switch_to_b: what a kernel's context switch does: mark the FPU unavailable.
switch_to_a:
        mov dword [CURRENT], CTX_A
        jmp switch_to
switch_to_b:
        mov dword [CURRENT], CTX_B
switch_to:
        push eax
        mov eax, cr0
        or eax, 0x08
        mov cr0, eax
        pop eax
        ret

nm_handler:
        SAY 'N'
        cmp byte [em_mode], 0
        jne .em
        clts
        push eax
        push ebx
        mov eax, [OWNER]
        mov ebx, [CURRENT]
        cmp eax, ebx
        je .same
        test eax, eax
        jz .load
        fnsave [eax]
.load:  cmp byte [ebx + 108], 0         ; a fresh task has no saved state yet
        je .fresh
        frstor [ebx]
.fresh: mov byte [ebx + 108], 1
        mov [OWNER], ebx
.same:  pop ebx
        pop eax
        iretd
.em:    push eax
        mov eax, cr0
        and eax, ~0x04
        mov cr0, eax
        pop eax
        iretd

mf_handler:
        SAY '#'
        push eax
        fnstsw ax
        call print_sw
        fnclex
        pop eax
        iretd

irq13_handler:
        SAY '*'
        push eax
        xor al, al
        out 0xf0, al                    ; drop IRQ 13 (IGNNE#)
        fnstsw ax
        call print_sw
        fnclex
        mov al, 0x20
        out 0xa0, al
        out 0x20, al
        pop eax
        iretd

init_pics:
        mov al, 0x11
        out 0x20, al
        out 0xa0, al
        mov al, 0x20
        out 0x21, al
        mov al, 0x28
        out 0xa1, al
        mov al, 0x04
        out 0x21, al
        mov al, 0x02
        out 0xa1, al
        mov al, 0x01
        out 0x21, al
        out 0xa1, al
        mov al, 0xfb                    ; master: only the cascade
        out 0x21, al
        mov al, 0xdf                    ; slave: only IRQ 13
        out 0xa1, al
        ret

cw_unmask_ze: dw 0x037b
em_mode equ SCRATCH + 0x408
big_idt_ptr:
        dw 256 * 8 - 1
        dd BIG_IDT

%include "lib/rom-end.inc"

; Prologue of the randomized-test images (not a test on its own).
;
; A 128 KiB ROM at 0xFFFE0000, run with paging on (identity 4 KiB pages but for one, see
; pm_entry). The first SEQ_AREA bytes are left for generated instruction sequences (written by src/random/trace-image.ts); this file fills the rest: the reset vector,
; the switch to flat 32-bit protected mode, the IDT, the per-step `dump` routine and the
; exception recorder. Every record is 16 dwords (64 bytes) written byte by byte to port 0xe9:
;
;   0  kind | step << 8 | vector << 24   kind 1 = step, 2 = exception (step 0xffff)
;   1  sequence index
;   2  EAX  3 ECX  4 EDX  5 EBX  6 EBP  7 ESI  8 EDI
;   9  EFLAGS with the bits the SDM leaves undefined for the step's instruction cleared
;  10  error code (exceptions), or the raw EFLAGS bits 0-11 (steps: compared only in the strict
;      "match QEMU on undefined flags" mode; the fixture CRCs leave this word out for steps)
;  11  EIP of the faulting instruction (exceptions), or ESP after the step (steps)
;  12-15  the four scratch dwords at SCRATCH
;
; A step is:  <instruction> ; pushfd ; push (step << 16 | keep-mask) ; call dump ; popfd
; `dump` clears the undefined flags in the saved EFLAGS too, so the popfd leaves them in a
; defined state for the next instruction.

ROM_BASE    equ 0xfffe0000
ROM_SIZE    equ 0x20000
CS_BASE     equ 0xffff0000           ; CS base at reset: real-mode code must sit in the last 64 KiB
SEQ_AREA    equ 0x1c000
STACK_TOP   equ 0x70000
IDT_BASE    equ 0x1000
SEQ_INDEX   equ 0x8000
RESUME      equ 0x8004
RECORD      equ 0x8100
SCRATCH     equ 0xeff8                   ; 16 bytes across the page boundary at 0xf000
PAGE_DIR    equ 0x20000
PAGE_TABLE  equ 0x21000                  ; 0-4 MiB in 4 KiB pages
SPLIT_PHYS  equ 0x5f000                  ; where linear page 0xf000 really lives

    org ROM_BASE
    times SEQ_AREA db 0xcc              ; the sequences go here

header:                                  ; read by trace-image.ts
    db "TSVMTRC1"
    dd dump, finish, SEQ_INDEX, RESUME, SCRATCH, STACK_TOP

    bits 16
start16:
    cli
    o32 lgdt [cs:gdt_desc - CS_BASE]
    mov eax, cr0
    or al, 1
    mov cr0, eax
    jmp dword 0x08:pm_entry

    bits 32
pm_entry:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    mov ss, ax
    mov esp, STACK_TOP
    cld
    xor ecx, ecx
.gate:                                   ; 32 interrupt gates to the exception stubs
    mov eax, [stubs + ecx * 4]
    lea edi, [IDT_BASE + ecx * 8]
    mov [edi], ax
    mov word [edi + 2], 0x08
    mov word [edi + 4], 0x8e00
    shr eax, 16
    mov [edi + 6], ax
    inc ecx
    cmp ecx, 32
    jb .gate
    lidt [idt_desc]
    ; Paging: identity 4 KiB pages for 0-4 MiB except linear 0xf000 -> SPLIT_PHYS, so scratch
    ; accesses that straddle 0xf000 touch two physically distant pages; a 4 MiB page for the ROM.
    mov edi, PAGE_DIR
    mov ecx, 1024
    xor eax, eax
    rep stosd
    mov dword [PAGE_DIR], PAGE_TABLE | 0x3
    mov dword [PAGE_DIR + 1023 * 4], 0xffc00000 | 0x83
    mov edi, PAGE_TABLE
    mov eax, 0x3
    mov ecx, 1024
.pte:
    mov [edi], eax
    add eax, 0x1000
    add edi, 4
    dec ecx
    jnz .pte
    mov dword [PAGE_TABLE + 0xf * 4], SPLIT_PHYS | 0x3
    mov dword [PAGE_TABLE + 0x10 * 4], 0                ; 0x10000: not present (runaway string ops fault here)
    mov eax, cr4
    or eax, 0x10                         ; PSE for the ROM's 4 MiB page
    mov cr4, eax
    mov eax, PAGE_DIR
    mov cr3, eax
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax
    mov dword [RESUME], finish
    jmp ROM_BASE                         ; the first sequence

finish:
    mov al, 0
    out 0xf4, al
.hang:
    hlt
    jmp .hang

; dump: [esp] = return, [esp+4] = step << 16 | keep-mask, [esp+8] = saved EFLAGS.
dump:
    pushad                               ; +0 EDI +4 ESI +8 EBP +12 ESP +16 EBX +20 EDX +24 ECX +28 EAX
    mov eax, [esp + 40]
    and eax, 0xfff
    mov [RECORD + 40], eax               ; the raw flags, undefined bits included
    mov eax, [esp + 36]
    mov ecx, eax
    or eax, 0xfffff000                   ; the keep-mask covers flag bits 0-11 only
    and [esp + 40], eax                  ; canonical flags: POPFD after the call restores these
    shr ecx, 16
    shl ecx, 8
    or ecx, 1
    mov [RECORD], ecx
    mov eax, [esp + 12]                  ; ESP as PUSHAD saw it: 12 bytes below the step's ESP
    add eax, 12
    mov [RECORD + 44], eax
    mov eax, [esp + 40]
    mov [RECORD + 36], eax
    call emit_record
    popad
    ret 4

; emit_record: fills the rest of the record from the PUSHAD frame at [esp + 4] and writes it.
emit_record:
    mov eax, [SEQ_INDEX]
    mov [RECORD + 4], eax
    mov eax, [esp + 4 + 28]
    mov [RECORD + 8], eax
    mov eax, [esp + 4 + 24]
    mov [RECORD + 12], eax
    mov eax, [esp + 4 + 20]
    mov [RECORD + 16], eax
    mov eax, [esp + 4 + 16]
    mov [RECORD + 20], eax
    mov eax, [esp + 4 + 8]
    mov [RECORD + 24], eax
    mov eax, [esp + 4 + 4]
    mov [RECORD + 28], eax
    mov eax, [esp + 4]
    mov [RECORD + 32], eax
    mov eax, [SCRATCH]
    mov [RECORD + 48], eax
    mov eax, [SCRATCH + 4]
    mov [RECORD + 52], eax
    mov eax, [SCRATCH + 8]
    mov [RECORD + 56], eax
    mov eax, [SCRATCH + 12]
    mov [RECORD + 60], eax
    mov esi, RECORD
    mov ecx, 64
    mov dx, 0xe9
.byte:                                   ; plain OUTs: the dump must not depend on REP OUTSB
    mov al, [esi]
    out dx, al
    inc esi
    dec ecx
    jnz .byte
    ret

; Exceptions: the record carries the vector, error code and faulting EIP; then the run goes on
; with the next sequence (its address is in RESUME).
%macro STUB 1
stub_%1:
%if (%1 = 8) || (%1 >= 10 && %1 <= 14) || (%1 = 17)
    push dword %1
%else
    push dword 0
    push dword %1
%endif
    jmp exception
%endmacro
%assign v 0
%rep 32
    STUB v
%assign v v + 1
%endrep
stubs:
%assign v 0
%rep 32
    dd stub_ %+ v
%assign v v + 1
%endrep

exception:                               ; [esp] vector, [esp+4] error, [esp+8] EIP, [esp+16] EFLAGS
    pushad
    mov eax, [esp + 32]
    shl eax, 24
    or eax, 0x00ffff02
    mov [RECORD], eax
    mov eax, [esp + 36]
    mov [RECORD + 40], eax
    mov eax, [esp + 40]
    mov [RECORD + 44], eax
    mov eax, [esp + 48]
    and eax, 0xfff
    mov [RECORD + 36], eax
    call emit_record
    mov esp, STACK_TOP
    jmp [RESUME]

idt_desc:
    dw 32 * 8 - 1
    dd IDT_BASE

    align 8
gdt:
    dq 0
    dq 0x00cf9a000000ffff
    dq 0x00cf92000000ffff
gdt_desc:
    dw gdt_desc - gdt - 1
    dd gdt

    times ROM_SIZE - 16 - ($ - $$) db 0xf4
    bits 16
    db 0xe9                              ; near jump: IP 0xfff3 wraps to start16's offset
    dw (start16 - CS_BASE) - 0xfff3
    times ROM_SIZE - ($ - $$) db 0xf4

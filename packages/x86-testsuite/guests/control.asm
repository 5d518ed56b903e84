; Control-transfer and debug group: hardware task switches (CALL and JMP to a TSS, CALL through a
; task gate, IRET with NT back to the caller), a call gate from ring 3 with parameter copying,
; a conforming code segment, SYSENTER/SYSEXIT, the TSS I/O permission bitmap, single-step (TF)
; including the MOV SS shadow, DR0 execute and DR1 write breakpoints, and PAE paging (#PF error
; codes and CR2 through 64-bit page tables).
;
; Lines as in system.asm; cases that come back from ring 3 through UD2 (vector 06) report the
; registers the ring-3 code left, others EAX = error code, EBX = CR2 or DR6, ECX/EDX specific.
%include "harness.inc"

GDT_RAM    equ 0x2000
TSS1       equ 0x9000                 ; the running task (with an I/O bitmap)
TSS2       equ 0x9400                 ; the task switched to
TASK_LOG   equ 0x9800                 ; what task 2 saw
USER_STACK equ 0x60000
RING0_STACK equ 0x68000
TASK2_STACK equ 0x64000
SYSENTER_STACK equ 0x66000
PDPT       equ 0x24000
PAE_PD0    equ 0x25000                ; 0-1 GiB
PAE_PD3    equ 0x26000                ; 3-4 GiB
PAE_PT     equ 0x27000                ; 0x400000-0x5fffff

SEL_CODE3  equ 0x23
SEL_DATA3  equ 0x2b
SEL_TSS1   equ 0x30
SEL_TSS2   equ 0x38
SEL_GATE   equ 0x43                   ; call gate, DPL 3
SEL_TGATE  equ 0x48                   ; task gate to TSS2
SEL_CONF   equ 0x50                   ; conforming code, DPL 0
SEL_SYSCS  equ 0x60                   ; SYSENTER CS (SS = +8, ring-3 CS = +16, SS = +24)
SEL_DATA   equ 0x10

one_flag: dd 0x002

main:
    call setup_control
    USE_FLAGS one_flag, 1
%macro SYS 1
    CASES %str(%1), %1, values, 1, values, 1
%endmacro
    SYS task_call
    SYS task_jmp
    SYS task_gate
    SYS call_gate
    SYS conforming
    SYS sysenter
    SYS iobitmap_allowed
    SYS iobitmap_denied
    SYS iobitmap_word
    SYS tf_step
    SYS tf_mov_ss
    SYS dr0_exec
    SYS dr1_write
    SYS pae_read
    SYS pae_not_present
    SYS pae_write_ro
    ret

; ---- set-up --------------------------------------------------------------------------------
setup_control:
    pushad
    mov esi, ctl_gdt
    mov edi, GDT_RAM
    mov ecx, (ctl_gdt_end - ctl_gdt) / 4
.copy:
    mov eax, [esi]
    mov [edi], eax
    add esi, 4
    add edi, 4
    dec ecx
    jnz .copy
    ; Descriptors with addresses in them.
    mov eax, gate_target
    mov [GDT_RAM + 0x40], ax
    shr eax, 16
    mov [GDT_RAM + 0x46], ax
    lgdt [ctl_gdt_desc]
    ; TSS1: ring-0 stack, I/O bitmap at 0x68 covering ports 0-255 (only port 0x80 allowed).
    mov edi, TSS1
    mov ecx, 0x100
    xor eax, eax
    rep stosd                          ; clears TSS1 and TSS2 area up to 0x9400
    mov dword [TSS1 + 4], RING0_STACK
    mov dword [TSS1 + 8], SEL_DATA
    mov word [TSS1 + 102], 0x68
    mov edi, TSS1 + 0x68
    mov ecx, 32
    mov al, 0xff
    rep stosb
    mov byte [TSS1 + 0x68 + 0x10], 0xfe ; port 0x80 allowed
    mov byte [TSS1 + 0x68 + 32], 0xff   ; the terminating byte
    mov ax, SEL_TSS1
    ltr ax
    ; SYSENTER MSRs.
    mov ecx, 0x174
    xor edx, edx
    mov eax, SEL_SYSCS
    wrmsr
    mov ecx, 0x175
    mov eax, SYSENTER_STACK
    wrmsr
    mov ecx, 0x176
    mov eax, sysenter_target
    wrmsr
    popad
    ret

; prepare_task2: a fresh TSS2 (EIP = task2_entry, own stack), available (not busy).
prepare_task2:
    pushad
    mov edi, TSS2
    mov ecx, 26
    xor eax, eax
    rep stosd
    mov dword [TSS2 + 0x20], task2_entry   ; EIP
    mov dword [TSS2 + 0x24], 0x2           ; EFLAGS
    mov dword [TSS2 + 0x38], TASK2_STACK   ; ESP
    mov dword [TSS2 + 0x28], 0x2222        ; EAX
    mov dword [TSS2 + 0x48], SEL_DATA      ; ES
    mov dword [TSS2 + 0x4c], 0x08          ; CS
    mov dword [TSS2 + 0x50], SEL_DATA      ; SS
    mov dword [TSS2 + 0x54], SEL_DATA      ; DS
    mov word [TSS2 + 102], 0x68
    mov eax, cr3
    mov [TSS2 + 0x1c], eax
    and byte [GDT_RAM + SEL_TSS2 + 5], ~0x02 ; available
    popad
    ret

; Task 2: logs its TR, EFLAGS (NT when nested) and back link, then returns to task 1 by IRET
; (nested) or by JMP to TSS1.
task2_entry:
    str ax
    movzx eax, ax
    mov [TASK_LOG], eax
    pushfd
    pop eax
    and eax, 0x4fd5
    mov [TASK_LOG + 4], eax
    movzx eax, word [TSS2]
    mov [TASK_LOG + 8], eax
    mov eax, [TASK_LOG + 12]           ; how to return: 0 = IRET, 1 = JMP
    test eax, eax
    jnz .jump_back
    iret
.jump_back:
    jmp SEL_TSS1:0

    align 8
ctl_gdt:
    dq 0
    dq 0x00cf9a000000ffff          ; 0x08 ring-0 code
    dq 0x00cf92000000ffff          ; 0x10 ring-0 data
    dq 0x008f9a000000ffff          ; 0x18 16-bit code (unused)
    dq 0x00cffa000000ffff          ; 0x20 ring-3 code
    dq 0x00cff2000000ffff          ; 0x28 ring-3 data
    dq 0x0000890090000088          ; 0x30 TSS1 at 0x9000, limit 0x88 (I/O bitmap for ports 0-255)
    dq 0x0000890094000067          ; 0x38 TSS2 at 0x9400
    dq 0x0000ec0200080000          ; 0x40 call gate, DPL 3, 2 parameters, offset filled in
    dq 0x0000850000380000          ; 0x48 task gate to TSS2, DPL 0
    dq 0x00cf9e000000ffff          ; 0x50 conforming code, DPL 0
    dq 0x0000000000000000          ; 0x58
    dq 0x00cf9a000000ffff          ; 0x60 SYSENTER CS
    dq 0x00cf92000000ffff          ; 0x68 SYSENTER SS
    dq 0x00cffa000000ffff          ; 0x70 SYSEXIT CS (ring 3)
    dq 0x00cff2000000ffff          ; 0x78 SYSEXIT SS (ring 3)
ctl_gdt_end:
ctl_gdt_desc:
    dw ctl_gdt_end - ctl_gdt - 1
    dd GDT_RAM

; ---- helpers ------------------------------------------------------------------------------
%macro REPORT 0
    mov eax, [exc_error]
    mov ebx, cr2
    push dword SEL_DATA
    pop ds
    push dword SEL_DATA
    pop es
%endmacro
%macro RING0_SEGS 0
    push dword SEL_DATA
    pop ds
    push dword SEL_DATA
    pop es
%endmacro
%include "ring3.inc"

; ---- task switches ---------------------------------------------------------------------------
%macro TASKCASE 3                      ; label, return mode (0 IRET / 1 JMP), switch instruction
    CASE_BEGIN %1
    call prepare_task2
    mov dword [TASK_LOG + 12], %2
    mov eax, 0x1111                    ; task 1's EAX, saved in TSS1 and restored on return
    %3
    ; Back in task 1. EAX: restored; EBX: TR, NT and back link as task 2 saw them; ECX: EAX
    ; saved in TSS2 (0x2222) ; EDX: busy bits of TSS1/TSS2 now, and task 1's NT.
    mov ebx, [TASK_LOG]
    shl ebx, 16
    or ebx, [TASK_LOG + 8]
    mov ecx, [TASK_LOG + 4]
    shl ecx, 16
    or ecx, [TSS2 + 0x28]
    movzx edx, byte [GDT_RAM + SEL_TSS1 + 5]
    shl edx, 8
    mov dl, [GDT_RAM + SEL_TSS2 + 5]
    pushfd
    pop esi
    and esi, 0x4000
    or edx, esi
    CASE_END
%endmacro
    TASKCASE task_call, 0, {call SEL_TSS2:0}
    TASKCASE task_jmp, 1, {jmp SEL_TSS2:0}
    TASKCASE task_gate, 0, {call SEL_TGATE:0}

; ---- privilege transfers ------------------------------------------------------------------------
    CASE_BEGIN call_gate
    TRY .caught
    RING3 .user
.user:
    push dword 0xaaaa0001
    push dword 0xbbbb0002
    call SEL_GATE:0                     ; the offset comes from the gate
    mov esi, esp                        ; RETF 8 popped the parameters from the ring-3 stack too
    sub esi, USER_STACK
    ud2
.caught:
    RING0_SEGS
    mov edi, [exc_regs]
    CASE_END
gate_target:                            ; ring 0: EAX = CS, EBX = caller CS, ECX/EDX = the copied parameters
    mov ax, cs
    movzx eax, ax
    mov ebx, [esp + 4]
    mov ecx, [esp + 8]
    mov edx, [esp + 12]
    mov edi, [esp + 20]                 ; the caller's SS
    shl edi, 16
    or ebx, edi
    retf 8

    CASE_BEGIN conforming
    TRY .caught
    RING3 .user
.user:
    call SEL_CONF:conforming_target
    ud2
.caught:
    RING0_SEGS
    CASE_END
conforming_target:                      ; runs at CPL 3: CS = 0x53
    mov ax, cs
    movzx eax, ax
    mov bx, ss
    movzx ebx, bx
    retf

    CASE_BEGIN sysenter
    TRY .caught
    RING3 .user
.user:
    mov ecx, USER_STACK - 0x100
    mov edx, .after
    sysenter
.after:
    mov si, cs
    shl esi, 16
    mov si, ss
    mov ebx, esp
    ud2
.caught:
    RING0_SEGS
    mov ebx, esi                        ; ring-3 CS:SS after SYSEXIT
    CASE_END
sysenter_target:                        ; ring 0: EAX = CS:SS, ESI unchanged, ECX/EDX for SYSEXIT
    mov ax, cs
    shl eax, 16
    mov ax, ss
    mov edi, esp                        ; SYSENTER_ESP
    sysexit

; ---- I/O permission bitmap --------------------------------------------------------------------
%macro IOCASE 2+                        ; label, instructions in ring 3
    CASE_BEGIN %1
    TRY .caught
    RING3 .user
.user:
    %2
    ud2
.caught:
    REPORT
    CASE_END
%endmacro
    IOCASE iobitmap_allowed, out 0x80, al  ; bit clear in the bitmap: allowed at CPL 3 > IOPL 0
    IOCASE iobitmap_denied, out 0x81, al
    IOCASE iobitmap_word, out 0x80, ax     ; needs the bits of 0x80 and 0x81

; ---- debug exceptions ------------------------------------------------------------------------
%macro DR6_CLEAR 0
    xor eax, eax
    mov dr6, eax
%endmacro
%macro DR6_REPORT 0
    mov eax, [exc_error]
    mov ebx, dr6
    and ebx, 0x400f                     ; BS and B0-B3
    RING0_SEGS
%endmacro

    CASE_BEGIN tf_step
    DR6_CLEAR
    TRY .caught
    pushfd
    or dword [esp], 0x100
    popfd
    mov ecx, 5                          ; the trap comes after this instruction
    mov ecx, 6
.caught:
    DR6_REPORT
    CASE_END

    CASE_BEGIN tf_mov_ss
    DR6_CLEAR
    mov dx, ss
    TRY .caught
    pushfd
    or dword [esp], 0x100
    popfd
    mov ecx, 1                          ; trap after this one...
.caught:
    DR6_REPORT
    ; ...and now with MOV SS in between: the trap waits one more instruction.
    mov edx, [exc_eip]
    DR6_CLEAR
    TRY .caught2
    mov ax, ss
    pushfd
    or dword [esp], 0x100
    popfd
    mov ss, ax
    mov ecx, 2
    mov ecx, 3
.caught2:
    DR6_REPORT
    sub edx, [exc_eip]                  ; distance between the two trap addresses
    CASE_END

    CASE_BEGIN dr0_exec
    DR6_CLEAR
    mov eax, .target
    mov dr0, eax
    mov eax, 0x1                        ; L0, execute, 1 byte
    mov dr7, eax
    TRY .caught
    mov ecx, 7
.target:
    mov ecx, 8                          ; faults before it runs: ECX stays 7
.caught:
    xor eax, eax
    mov dr7, eax
    DR6_REPORT
    CASE_END

    CASE_BEGIN dr1_write
    DR6_CLEAR
    mov eax, SCRATCH + 0x20
    mov dr1, eax
    mov eax, 0x00d00004                 ; L1, write, 4 bytes
    mov dr7, eax
    TRY .caught
    mov ecx, [SCRATCH + 0x20]           ; reads do not trigger
    mov dword [SCRATCH + 0x20], 0x5555  ; traps after the store
    mov ecx, 9
.caught:
    xor eax, eax
    mov dr7, eax
    DR6_REPORT
    mov edx, [SCRATCH + 0x20]
    CASE_END

; ---- PAE paging ------------------------------------------------------------------------------
pae_on:
    pushad
    mov edi, PDPT
    mov ecx, (PAE_PT + 0x1000 - PDPT) / 4
    xor eax, eax
    rep stosd
    mov dword [PDPT + 0 * 8], PAE_PD0 | 1
    mov dword [PDPT + 3 * 8], PAE_PD3 | 1
    mov dword [PAE_PD0 + 0 * 8], 0x00000000 | 0x83  ; 2 MiB page at 0, writable
    mov dword [PAE_PD0 + 2 * 8], PAE_PT | 0x3      ; 0x400000-0x5fffff
    mov dword [PAE_PD3 + 511 * 8], 0xffe00000 | 0x83 ; the ROM
    mov dword [PAE_PT + 1 * 8], 0x30000 | 0x1      ; 0x401000: present, read-only
    mov dword [PAE_PT + 2 * 8], 0x31000 | 0x3      ; 0x402000: writable
    mov dword [0x30000], 0x30303030
    mov dword [0x31000], 0x31313131
    mov eax, cr4
    or eax, 0x20                                   ; PAE
    mov cr4, eax
    mov eax, PDPT
    mov cr3, eax
    mov eax, cr0
    or eax, 0x80010000                             ; PG, WP
    mov cr0, eax
    popad
    ret

pae_off:
    pushad
    mov eax, cr0
    and eax, ~0x80010000
    mov cr0, eax
    mov eax, cr4
    and eax, ~0x20
    mov cr4, eax
    popad
    ret

    CASE_BEGIN pae_read
    call pae_on
    mov eax, [0x401000]
    mov ebx, [0x402000]
    mov dword [0x402004], 0x77
    mov ecx, [0x31004]
    mov edx, [PAE_PT + 2 * 8]
    and edx, 0x60                       ; accessed + dirty in the 64-bit PTE
    call pae_off
    CASE_END

    CASE_BEGIN pae_not_present
    call pae_on
    xor eax, eax
    mov cr2, eax
    TRY .caught
    mov ecx, [0x403008]
.caught:
    call pae_off
    REPORT
    CASE_END

    CASE_BEGIN pae_write_ro
    call pae_on
    xor eax, eax
    mov cr2, eax
    TRY .caught
    mov dword [0x401010], 1
.caught:
    call pae_off
    REPORT
    CASE_END

%include "harness-end.inc"

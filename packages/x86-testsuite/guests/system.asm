; System group: paging (#PF error codes and CR2, WP, U/S, R/W, accessed/dirty bits, INVLPG,
; CR3 reload, 4 MiB PSE pages), segment faults (#GP, #NP, #SS on limit, privilege and presence
; violations), #UD, #DE, #BP, #OF, #TS, privileged instructions and I/O from ring 3, a double
; fault, and finally a triple fault: the run ends in a CPU shutdown (QEMU with -no-reboot exits
; with status 0), not through the debug-exit port.
;
; Line outputs: EAX = error code, EBX = CR2, ECX / EDX = case-specific; the exception vector and
; faulting EIP follow "!". Ring-3 cases return to ring 0 through UD2 (vector 06 = "came back").
%include "harness.inc"

GDT_RAM    equ 0x2000
TSS_BASE   equ 0x9000
PD         equ 0x20000              ; page directory
PT_LOW     equ 0x21000              ; 0-4 MiB, identity, user, writable
PT_TEST    equ 0x22000              ; 0x400000-0x7fffff: the test pages
USER_STACK equ 0x60000
RING0_STACK equ 0x68000

SEL_CODE3  equ 0x23
SEL_DATA3  equ 0x2b
SEL_TSS    equ 0x30
SEL_NP     equ 0x38                  ; data segment, not present
SEL_SMALL  equ 0x40                  ; data segment, limit 0xfff (byte granular)
SEL_CODE   equ 0x08
SEL_DATA   equ 0x10

PAGE_NP    equ 0x400000              ; not present
PAGE_RO    equ 0x401000              ; supervisor, read-only   -> phys 0x30000
PAGE_USER  equ 0x402000              ; user, writable          -> phys 0x31000
PAGE_SUP   equ 0x403000              ; supervisor, writable    -> phys 0x32000 (or 0x33000)
PSE_ALIAS  equ 0x800000              ; 4 MiB page -> phys 0

one_flag: dd 0x002

main:
    call setup_system
    USE_FLAGS one_flag, 1
%macro SYS 1
    CASES %str(%1), %1, values, 1, values, 1
%endmacro
    SYS pf_read_np
    SYS pf_write_np
    SYS pf_write_ro_wp0
    SYS pf_write_ro_wp1
    SYS pf_user_super_read
    SYS pf_user_ro_write
    SYS pf_user_ok
    SYS pf_accessed_dirty
    SYS pf_invlpg
    SYS pf_cr3_reload
    SYS pf_pse
    SYS gp_limit
    SYS np_data
    SYS gp_rpl
    SYS gp_ss_dpl
    SYS gp_null_ss
    SYS ss_not_present
    SYS ud_ud2
    SYS ud_lock
    SYS de_div0
    SYS bp_int3
    SYS of_into
    SYS gp_ring3_cli
    SYS gp_ring3_out
    SYS gp_ring3_hlt
    SYS gp_ring3_cr0
    SYS gp_ring3_int
    SYS gp_ring3_null_ds
    SYS ts_iret_nt
    SYS df_gp_gate
    ; The last case: a triple fault. Nothing may be printed after this line.
    mov esi, triple_msg
    call puts
    lidt [idt_empty]
    int3                             ; #GP (vector beyond the IDT limit) -> #DF -> shutdown
    mov esi, survived_msg
    call puts
    ret
triple_msg: db "triple fault next", 10, 0
survived_msg: db "ERROR: still running after a triple fault", 10, 0
idt_empty:
    dw 0
    dd 0

; ---- set-up: GDT in RAM (LTR writes the busy bit), TSS, page tables, paging on ----------------
setup_system:
    pushad
    mov esi, sys_gdt
    mov edi, GDT_RAM
    mov ecx, (sys_gdt_end - sys_gdt) / 4
.copy:
    mov eax, [esi]
    mov [edi], eax
    add esi, 4
    add edi, 4
    dec ecx
    jnz .copy
    lgdt [sys_gdt_desc]
    ; TSS: SS0:ESP0 for ring 3 -> 0 switches, no I/O bitmap (base beyond the limit).
    mov edi, TSS_BASE
    xor eax, eax
    mov ecx, 26
.zero_tss:
    mov [edi + ecx * 4 - 4], eax
    dec ecx
    jnz .zero_tss
    mov dword [TSS_BASE + 4], RING0_STACK
    mov dword [TSS_BASE + 8], SEL_DATA
    mov word [TSS_BASE + 102], 0x68
    mov dword [TSS_BASE + 0], SEL_DATA  ; back link: not a TSS (for the IRET-with-NT case)
    mov ax, SEL_TSS
    ltr ax
    ; Page tables.
    mov edi, PD
    mov ecx, 1024
    xor eax, eax
.zero_pd:
    mov [edi], eax
    add edi, 4
    dec ecx
    jnz .zero_pd
    mov dword [PD + 0 * 4], PT_LOW | 0x7        ; present, writable, user
    mov dword [PD + 1 * 4], PT_TEST | 0x7
    mov dword [PD + 2 * 4], 0x00000000 | 0x83   ; 4 MiB page -> 0, supervisor
    mov dword [PD + 1023 * 4], 0xffc00000 | 0x87 ; 4 MiB page: the ROM, user (ring-3 code runs there)
    mov edi, PT_LOW
    mov eax, 0x7
    mov ecx, 1024
.fill_low:
    mov [edi], eax
    add eax, 0x1000
    add edi, 4
    dec ecx
    jnz .fill_low
    mov edi, PT_TEST
    mov ecx, 1024
    xor eax, eax
.zero_pt:
    mov [edi], eax
    add edi, 4
    dec ecx
    jnz .zero_pt
    mov dword [PT_TEST + 1 * 4], 0x30000 | 0x1   ; present, read-only, supervisor
    mov dword [PT_TEST + 2 * 4], 0x31000 | 0x7   ; present, writable, user
    mov dword [PT_TEST + 3 * 4], 0x32000 | 0x3   ; present, writable, supervisor
    mov dword [0x30000], 0x30303030              ; page markers
    mov dword [0x31000], 0x31313131
    mov dword [0x32000], 0x32323232
    mov dword [0x33000], 0x33333333
    mov eax, cr4
    or eax, 0x10                                 ; PSE
    mov cr4, eax
    mov eax, PD
    mov cr3, eax
    mov eax, cr0
    or eax, 0x80000000                           ; PG (WP stays clear until a case sets it)
    mov cr0, eax
    popad
    ret

sys_gdt_desc:
    dw sys_gdt_end - sys_gdt - 1
    dd GDT_RAM

    align 8
sys_gdt:
    dq 0
    dq 0x00cf9a000000ffff          ; 0x08 ring-0 code
    dq 0x00cf92000000ffff          ; 0x10 ring-0 data
    dq 0x008f9a000000ffff          ; 0x18 16-bit code (unused)
    dq 0x00cffa000000ffff          ; 0x20 ring-3 code
    dq 0x00cff2000000ffff          ; 0x28 ring-3 data
    dq 0x0000890090000067          ; 0x30 32-bit TSS at 0x9000, limit 0x67
    dq 0x00cf12000000ffff          ; 0x38 data, not present
    dq 0x0040920000000fff          ; 0x40 data, limit 0xfff, byte granular
    dq 0                           ; 0x48 filled in by ss_not_present
sys_gdt_end:

; ---- helpers ------------------------------------------------------------------------------
; After a caught exception: EAX = error code, EBX = CR2, segment registers back to ring 0's.
%macro REPORT 0
    mov eax, [exc_error]
    mov ebx, cr2
    push dword SEL_DATA
    pop ds
    push dword SEL_DATA
    pop es
%endmacro
%macro CLEAR_CR2 0
    xor eax, eax
    mov cr2, eax
%endmacro
%include "ring3.inc"

    CASE_BEGIN pf_read_np
    CLEAR_CR2
    TRY .caught
    mov ecx, [PAGE_NP]
.caught:
    REPORT
    CASE_END

    CASE_BEGIN pf_write_np
    CLEAR_CR2
    TRY .caught
    mov [PAGE_NP + 4], ecx
.caught:
    REPORT
    CASE_END

    CASE_BEGIN pf_write_ro_wp0
    CLEAR_CR2
    TRY .caught
    mov dword [PAGE_RO + 8], 0x12345678   ; WP clear: supervisor writes ignore R/W
    mov ecx, [0x30008]
    ud2                                    ; report through the catcher
.caught:
    REPORT
    CASE_END

    CASE_BEGIN pf_write_ro_wp1
    CLEAR_CR2
    mov eax, cr0
    or eax, 0x10000
    mov cr0, eax
    TRY .caught
    mov dword [PAGE_RO + 12], 0x9abcdef0
.caught:
    mov edx, cr0
    and edx, ~0x10000
    mov cr0, edx
    mov edx, [0x3000c]                    ; not written
    REPORT
    CASE_END

    CASE_BEGIN pf_user_super_read
    CLEAR_CR2
    TRY .caught
    RING3 .user
.user:
    mov ecx, [PAGE_SUP]
    ud2
.caught:
    REPORT
    CASE_END

    CASE_BEGIN pf_user_ro_write
    CLEAR_CR2
    TRY .caught
    RING3 .user
.user:
    mov dword [PAGE_RO], 1
    ud2
.caught:
    REPORT
    CASE_END

    CASE_BEGIN pf_user_ok
    CLEAR_CR2
    TRY .caught
    RING3 .user
.user:
    mov ecx, [PAGE_USER]
    mov dword [PAGE_USER + 4], 0x55aa55aa
    mov edx, [PAGE_USER + 4]
    mov eax, cs
    ud2                                    ; vector 06: came back from ring 3 without a #PF
.caught:
    mov esi, [exc_regs]                    ; CS in ring 3
    REPORT
    mov ebx, esi
    CASE_END

    ; Accessed and dirty bits: cleared, then a read sets A, a write sets D.
    CASE_BEGIN pf_accessed_dirty
    and dword [PT_TEST + 3 * 4], ~0x60
    and dword [PD + 1 * 4], ~0x20
    invlpg [PAGE_SUP]
    mov eax, [PAGE_SUP]
    mov ebx, [PT_TEST + 3 * 4]
    and ebx, 0x60                          ; 0x20: accessed
    mov dword [PAGE_SUP + 4], 7
    mov ecx, [PT_TEST + 3 * 4]
    and ecx, 0x60                          ; 0x60: accessed and dirty
    mov edx, [PD + 1 * 4]
    and edx, 0x20                          ; the PDE's accessed bit
    CASE_END

    CASE_BEGIN pf_invlpg
    mov eax, [PAGE_SUP]                    ; cache the old translation
    mov dword [PT_TEST + 3 * 4], 0x33000 | 0x3
    invlpg [PAGE_SUP]
    mov ebx, [PAGE_SUP]                    ; the new page after INVLPG
    mov dword [PT_TEST + 3 * 4], 0x32000 | 0x3
    invlpg [PAGE_SUP]
    mov ecx, [PAGE_SUP]
    CASE_END

    CASE_BEGIN pf_cr3_reload
    mov eax, [PAGE_SUP]
    mov dword [PT_TEST + 3 * 4], 0x33000 | 0x3
    mov ecx, cr3
    mov cr3, ecx                           ; flushes the (non-global) translations
    mov ebx, [PAGE_SUP]
    mov dword [PT_TEST + 3 * 4], 0x32000 | 0x3
    mov cr3, ecx
    mov ecx, [PAGE_SUP]
    CASE_END

    CASE_BEGIN pf_pse
    mov eax, [PSE_ALIAS + 0x31000]         ; the 4 MiB page maps physical 0
    mov ebx, [PSE_ALIAS + 0x33000]
    mov dword [PSE_ALIAS + 0x33004], 0xfeedface
    mov ecx, [0x33004]
    mov edx, [PD + 2 * 4]
    and edx, 0xe0                          ; PS | dirty | accessed of the 4 MiB PDE
    CASE_END

    CASE_BEGIN gp_limit
    TRY .caught
    push dword SEL_SMALL
    pop es
    mov ecx, [es:0xffc]                    ; the last dword inside the limit
    mov edx, [es:0xffd]                    ; crosses the limit: #GP(0)
.caught:
    REPORT
    CASE_END

    CASE_BEGIN np_data
    TRY .caught
    mov cx, SEL_NP
    mov ds, cx                             ; #NP(0x38)
.caught:
    REPORT
    CASE_END

    CASE_BEGIN gp_rpl
    TRY .caught
    mov cx, SEL_DATA | 3                   ; RPL 3 > DPL 0: #GP(0x10)
    mov ds, cx
.caught:
    REPORT
    CASE_END

    CASE_BEGIN gp_ss_dpl
    TRY .caught
    mov cx, SEL_DATA3                      ; SS needs DPL = CPL: #GP(0x28)
    mov ss, cx
.caught:
    REPORT
    CASE_END

    CASE_BEGIN gp_null_ss
    TRY .caught
    xor ecx, ecx
    mov ss, cx                             ; null SS in ring 0 (32-bit): #GP(0)
.caught:
    REPORT
    CASE_END

    CASE_BEGIN ss_not_present
    ; A not-present but otherwise valid stack segment: #SS(sel). Use a writable DPL-0 copy.
    mov dword [GDT_RAM + 0x48], 0x0000ffff
    mov dword [GDT_RAM + 0x4c], 0x00cf1200
    TRY .caught
    mov cx, 0x48
    mov ss, cx
.caught:
    REPORT
    CASE_END

    CASE_BEGIN ud_ud2
    TRY .caught
    ud2
.caught:
    REPORT
    CASE_END

    CASE_BEGIN ud_lock
    TRY .caught
    db 0xf0                                ; LOCK on a register operand: #UD
    inc ecx
.caught:
    REPORT
    CASE_END

    CASE_BEGIN de_div0
    TRY .caught
    xor ecx, ecx
    div ecx
.caught:
    REPORT
    CASE_END

    CASE_BEGIN bp_int3
    TRY .caught
    int3                                   ; a trap: EIP after the instruction
.caught:
    REPORT
    CASE_END

    CASE_BEGIN of_into
    TRY .caught
    mov cl, 0x7f
    add cl, 1                              ; OF = 1
    into
.caught:
    REPORT
    CASE_END

%macro RING3_GP 2+                          ; label, instruction
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
    RING3_GP gp_ring3_cli, cli              ; IOPL 0 < CPL 3
    RING3_GP gp_ring3_out, out 0x80, al     ; IOPL 0 and no I/O bitmap
    RING3_GP gp_ring3_hlt, hlt
    RING3_GP gp_ring3_cr0, mov eax, cr0
    RING3_GP gp_ring3_int, int 0x0d         ; gate DPL 0 < CPL 3: #GP(vector * 8 + 2)

    ; A memory access through a null DS: #GP(0) (loading the null selector itself is allowed).
    CASE_BEGIN gp_ring3_null_ds
    TRY .caught
    RING3 .user
.user:
    push dword 0
    pop ds
    mov ecx, [PAGE_USER]
    ud2
.caught:
    REPORT
    CASE_END

    CASE_BEGIN ts_iret_nt
    TRY .caught
    pushfd
    or dword [esp], 0x4000                 ; NT
    popfd
    iret                                   ; task return to back link 0x10, not a TSS: #TS(0x10)
.caught:
    pushfd
    and dword [esp], ~0x4000
    popfd
    REPORT
    CASE_END

    ; #GP whose gate is not present: #NP while delivering it, a contributory fault on a
    ; contributory fault: #DF(0).
    CASE_BEGIN df_gp_gate
    and byte [IDT_BASE + 13 * 8 + 5], 0x7f
    TRY .caught
    mov cx, SEL_DATA | 3
    mov ds, cx
.caught:
    or byte [IDT_BASE + 13 * 8 + 5], 0x80
    REPORT
    CASE_END

%include "harness-end.inc"

; System-register and EFLAGS group: POPFD/POPF in ring 0 and ring 3 (which bits stick: IF and
; IOPL only where privilege allows, VM never, ID and AC toggle), SAHF/LAHF, XLAT, the long NOP,
; MOV to/from CR0/CR4 (hard-wired bits), CLTS, LMSW
; (cannot clear PE), SMSW, MOV DR4/DR5 aliases (and #UD with CR4.DE), WRMSR/RDMSR of SYSENTER_CS
; and #GP for an unknown MSR.
;
; a = the value under test (flags image, AH, CR bits...), outputs as each case says.
%include "harness.inc"

GDT_RAM    equ 0x2000
TSS_BASE   equ 0x9000
USER_STACK equ 0x60000
RING0_STACK equ 0x68000
SEL_CODE3  equ 0x23
SEL_DATA3  equ 0x2b
SEL_DATA   equ 0x10

one_flag: dd 0x002
flag_images: dd 0x00000000, 0xffffffff, 0x00247fd7, 0x00003202, 0x00040000, 0x00200000, 0x00020000, 0x00004000
NFLAG_IMAGES equ ($ - flag_images) / 4
cr0_bits: dd 0x00000000, 0x00000002, 0x00000004, 0x00000008, 0x00000020, 0x00010000, 0x00040000, 0x20000000, 0x60000000
NCR0_BITS equ ($ - cr0_bits) / 4
cr4_bits: dd 0x00000000, 0x00000004, 0x00000008, 0x00000010, 0x00000080   ; P6 bits only (OSFXSR depends on the CPU model)
NCR4_BITS equ ($ - cr4_bits) / 4

main:
    call setup_rings
    USE_FLAGS one_flag, 1
    CASES "popfd0", popfd0, flag_images, NFLAG_IMAGES, values, 1
    CASES "popf16", popf16, flag_images, NFLAG_IMAGES, values, 1
    CASES "popfd3", popfd3, flag_images, NFLAG_IMAGES, values, 1
    CASES "sahf", sahf_, values, NVALUES, values, 1
    CASES "lahf", lahf_, flag_images, NFLAG_IMAGES, values, 1
    CASES "xlat", xlat_, values, NVALUES, values, 1
    CASES "nopl", nopl_, values, 1, values, 1
    CASES "cr0", cr0_, cr0_bits, NCR0_BITS, values, 1
    CASES "cr4", cr4_, cr4_bits, NCR4_BITS, values, 1
    CASES "clts", clts_, values, 1, values, 1
    CASES "lmsw", lmsw_, values, NVALUES, values, 1
    CASES "smsw", smsw_, values, 1, values, 1
    CASES "dr4_dr5", dr45, values, 1, values, 1
    CASES "dr4_de", dr4_de, values, 1, values, 1
    CASES "msr_sysenter_cs", msr_cs, values, NVALUES, values, 1
    CASES "msr_unknown", msr_unknown, values, 1, values, 1
    ret

; ---- ring 3 set-up (as in system.asm: GDT in RAM, TSS with SS0:ESP0) ---------------------------
setup_rings:
    pushad
    mov esi, r_gdt
    mov edi, GDT_RAM
    mov ecx, (r_gdt_end - r_gdt) / 4
.copy:
    mov eax, [esi]
    mov [edi], eax
    add esi, 4
    add edi, 4
    dec ecx
    jnz .copy
    lgdt [r_gdt_desc]
    mov edi, TSS_BASE
    mov ecx, 26
    xor eax, eax
    rep stosd
    mov dword [TSS_BASE + 4], RING0_STACK
    mov dword [TSS_BASE + 8], SEL_DATA
    mov word [TSS_BASE + 102], 0x68
    mov ax, 0x30
    ltr ax
    popad
    ret

    align 8
r_gdt:
    dq 0
    dq 0x00cf9a000000ffff          ; 0x08 ring-0 code
    dq 0x00cf92000000ffff          ; 0x10 ring-0 data
    dq 0x008f9a000000ffff          ; 0x18 16-bit code (unused)
    dq 0x00cffa000000ffff          ; 0x20 ring-3 code
    dq 0x00cff2000000ffff          ; 0x28 ring-3 data
    dq 0x0000890090000067          ; 0x30 TSS
r_gdt_end:
r_gdt_desc:
    dw r_gdt_end - r_gdt - 1
    dd GDT_RAM

%macro RING0_SEGS 0
    push dword SEL_DATA
    pop ds
    push dword SEL_DATA
    pop es
%endmacro

%include "ring3.inc"

; ---- EFLAGS -----------------------------------------------------------------------------------
; POPFD in ring 0: EAX = the image read back (TF masked: it would trap), EBX = flags-in restored.
    CASE_BEGIN popfd0
    pushfd
    pop ebx
    mov ecx, eax
    and ecx, ~0x100                     ; keep TF clear
    push ecx
    popfd
    pushfd
    pop eax
    push ebx
    popfd                               ; back to the case's flags before reporting
    CASE_END

    CASE_BEGIN popf16
    pushfd
    pop ebx
    mov ecx, eax
    and ecx, ~0x100
    push cx
    o16 popf                            ; 16-bit: the upper half of EFLAGS stays
    pushfd
    pop eax
    push ebx
    popfd
    CASE_END

    ; POPFD in ring 3 with IOPL 0: IF and IOPL must not change, no fault.
    CASE_BEGIN popfd3
    TRY .caught
    mov ecx, eax
    and ecx, ~0x100
    RING3 .user
.user:
    push ecx
    popfd
    pushfd
    pop eax
    and eax, ~0x10000                   ; RF is not part of what POPFD sets
    ud2
.caught:
    RING0_SEGS
    CASE_END

    CASE_BEGIN sahf_
    mov ah, al
    sahf
    CASE_END

    CASE_BEGIN lahf_
    mov ecx, eax
    and ecx, 0x8d5
    or ecx, 2
    push ecx
    popfd
    mov eax, 0x12345678
    lahf
    CASE_END

    ; XLAT: AL = [EBX + AL] over a 256-byte table of (i * 7 + 3).
    CASE_BEGIN xlat_
    mov ecx, 255
.fill:
    mov dl, cl
    imul edx, edx, 7
    add dl, 3
    mov [SCRATCH + ecx], dl
    dec ecx
    jns .fill
    mov ebx, SCRATCH
    RELOAD_FLAGS
    xlatb
    CASE_END

    CASE_BEGIN nopl_
    db 0x0f, 0x1f, 0x00                 ; nop dword [eax]: no access, no fault
    db 0x0f, 0x1f, 0x44, 0x00, 0x00
    db 0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00
    mov eax, 0x600d
    CASE_END

; ---- control registers ------------------------------------------------------------------------
; CR0: toggle one bit (a), read back; PG/PE/CD stay as they were. EAX = CR0 read back with the
; bit set, EBX = after clearing it again.
    CASE_BEGIN cr0_
    mov esi, cr0
    mov ecx, esi
    or ecx, eax
    TRY .caught
    mov cr0, ecx
    mov ecx, cr0
    mov eax, ecx
    mov cr0, esi
    mov ebx, cr0
.caught:
    mov cr0, esi
    RING0_SEGS
    CASE_END

    ; CR4: set one defined bit and read back. (Reserved bits are left out: QEMU 7.2 spins on a
    ; MOV to CR4 that sets one instead of raising #GP.)
    CASE_BEGIN cr4_
    mov esi, cr4
    mov ecx, esi
    or ecx, eax
    TRY .caught
    mov cr4, ecx
    mov eax, cr4
    mov cr4, esi
    mov ebx, cr4
.caught:
    mov cr4, esi
    CASE_END

    CASE_BEGIN clts_
    mov esi, cr0
    mov eax, esi
    or eax, 0x8                         ; TS
    mov cr0, eax
    mov ebx, cr0
    clts
    mov ecx, cr0
    mov cr0, esi
    and ebx, 0x8
    and ecx, 0x8
    CASE_END

    ; LMSW writes CR0 bits 0-3 but cannot clear PE.
    CASE_BEGIN lmsw_
    mov esi, cr0
    and eax, 0xfffe                     ; asks to clear PE
    lmsw ax
    mov ebx, cr0
    mov cr0, esi
    and ebx, 0xf
    CASE_END

    CASE_BEGIN smsw_
    mov ebx, 0xffffffff
    smsw ebx
    mov ecx, 0xffffffff
    smsw cx
    and ebx, 0x3f                       ; the low CR0 bits (SDM: bits 31:16 of a 32-bit SMSW destination are undefined)
    CASE_END

; ---- debug registers ------------------------------------------------------------------------
; With CR4.DE clear, DR4/DR5 are DR6/DR7.
    CASE_BEGIN dr45
    mov eax, 0x00000100
    mov dr7, eax
    mov eax, dr5
    mov ebx, dr4
    and ebx, 0x0000e00f
    xor ecx, ecx
    mov dr7, ecx
    CASE_END

    CASE_BEGIN dr4_de
    mov esi, cr4
    mov eax, esi
    or eax, 0x8
    mov cr4, eax
    TRY .caught
    mov eax, dr4                        ; #UD with CR4.DE set
.caught:
    mov cr4, esi
    CASE_END

; ---- MSRs ---------------------------------------------------------------------------------
    CASE_BEGIN msr_cs
    mov ebx, eax
    mov ecx, 0x174
    rdmsr
    mov esi, eax
    mov edi, edx
    mov eax, ebx
    and eax, 0xffff
    xor edx, edx
    wrmsr
    xor eax, eax
    rdmsr
    mov ebx, eax
    mov ecx, edx
    mov eax, esi
    mov edx, edi
    mov ecx, 0x174
    wrmsr
    mov ecx, 0
    CASE_END

    CASE_BEGIN msr_unknown
    TRY .caught
    mov ecx, 0x12345678
    rdmsr                               ; #GP(0)
.caught:
    CASE_END

%include "harness-end.inc"

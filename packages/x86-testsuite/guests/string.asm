; String group: MOVS STOS LODS CMPS SCAS in byte/word/dword forms, with REP/REPE/REPNE, both
; directions, a segment override and 16-bit addressing (CX/SI/DI wrapping at 64 KiB).
;
; a = the accumulator value (STOS/SCAS) and b = the count (ECX). Buffers: SRC holds bytes
; i * 0x11, DST the same except byte 5 (^0x40), so REPE CMPS stops there and REPNE SCAS finds
; the first byte equal to AL. Outputs: EAX; EBX = (ESI - SRC) << 16 | (EDI - DST) & 0xffff;
; ECX; EDX = checksum of DST[0..96).
%include "harness.inc"

SRC equ SCRATCH
DST equ SCRATCH + 0x1000

str_counts: dd 0, 1, 2, 5, 6, 17, 40
NSTR_COUNTS equ ($ - str_counts) / 4
str_values: dd 0x00000000, 0x12345655, 0xffffffff, 0x00000044, 0x000000ff
NSTR_VALUES equ ($ - str_values) / 4

main:
%macro STRCASES 1
    CASES {%str(%1), "b"}, %1_b, str_values, NSTR_VALUES, str_counts, NSTR_COUNTS
    CASES {%str(%1), "w"}, %1_w, str_values, NSTR_VALUES, str_counts, NSTR_COUNTS
    CASES {%str(%1), "d"}, %1_d, str_values, NSTR_VALUES, str_counts, NSTR_COUNTS
    CASES {%str(%1), "b-std"}, %1_b_std, str_values, NSTR_VALUES, str_counts, NSTR_COUNTS
    CASES {%str(%1), "d-std"}, %1_d_std, str_values, NSTR_VALUES, str_counts, NSTR_COUNTS
%endmacro
    STRCASES rep_movs
    STRCASES rep_stos
    STRCASES lods
    STRCASES rep_lods
    STRCASES repe_cmps
    STRCASES repne_cmps
    STRCASES repe_scas
    STRCASES repne_scas
    STRCASES cmps
    CASES "rep_movsb-fs", rep_movsb_fs, str_values, NSTR_VALUES, str_counts, NSTR_COUNTS
    CASES "rep_movsb-a16", rep_movsb_a16, str_values, NSTR_VALUES, str_counts, NSTR_COUNTS
    CASES "repne_scasb-a16", repne_scasb_a16, str_values, NSTR_VALUES, str_counts, NSTR_COUNTS
    ret

; fill_buffers: SRC[i] = i * 0x11, DST[i] = SRC[i] (byte 5 ^ 0x40) for i < 128.
fill_buffers:
    pushad
    xor ecx, ecx
.fill:
    mov al, cl
    mov ah, 0x11
    mul ah
    mov [SRC + ecx], al
    cmp ecx, 5
    jne .same
    xor al, 0x40
.same:
    mov [DST + ecx], al
    inc ecx
    cmp ecx, 128
    jb .fill
    popad
    ret

; The flags of the string instruction (DF included) are what the line reports.
%macro SAVE_FLAGS 0
    pushfd
    pop dword [VARS + 0x100]
    cld
%endmacro
%macro RESTORE_FLAGS 0
    push dword [VARS + 0x100]
    popfd
%endmacro

; finish: the outputs described above, from ESI/EDI relative to the given bases.
%macro FINISH 2                  ; src base, dst base
    sub esi, %1
    sub edi, %2
    shl esi, 16
    and edi, 0xffff
    or esi, edi
    mov ebx, esi
    call dst_checksum
%endmacro

dst_checksum:                     ; EDX = rotate-xor checksum of DST[0..96)
    push esi
    push eax
    xor edx, edx
    xor esi, esi
.sum:
    rol edx, 5
    movzx eax, byte [DST + esi]
    xor edx, eax
    inc esi
    cmp esi, 96
    jb .sum
    pop eax
    pop esi
    ret

; STRCASE label, size (1/2/4), 'std' or 'cld', instruction
%macro STRCASE 4+
    CASE_BEGIN %1
    call fill_buffers
%ifidn %3, std
    mov esi, SRC + 64
    mov edi, DST + 64
    RELOAD_FLAGS
    std
%else
    mov esi, SRC
    mov edi, DST
    RELOAD_FLAGS
%endif
    %4
    SAVE_FLAGS
    FINISH SRC, DST
    RESTORE_FLAGS
    CASE_END
%endmacro

    STRCASE rep_movs_b, 1, cld, rep movsb
    STRCASE rep_movs_w, 2, cld, rep movsw
    STRCASE rep_movs_d, 4, cld, rep movsd
    STRCASE rep_movs_b_std, 1, std, rep movsb
    STRCASE rep_movs_d_std, 4, std, rep movsd
    STRCASE rep_stos_b, 1, cld, rep stosb
    STRCASE rep_stos_w, 2, cld, rep stosw
    STRCASE rep_stos_d, 4, cld, rep stosd
    STRCASE rep_stos_b_std, 1, std, rep stosb
    STRCASE rep_stos_d_std, 4, std, rep stosd
    STRCASE lods_b, 1, cld, lodsb
    STRCASE lods_w, 2, cld, lodsw
    STRCASE lods_d, 4, cld, lodsd
    STRCASE lods_b_std, 1, std, lodsb
    STRCASE lods_d_std, 4, std, lodsd
    STRCASE rep_lods_b, 1, cld, rep lodsb
    STRCASE rep_lods_w, 2, cld, rep lodsw
    STRCASE rep_lods_d, 4, cld, rep lodsd
    STRCASE rep_lods_b_std, 1, std, rep lodsb
    STRCASE rep_lods_d_std, 4, std, rep lodsd
    STRCASE repe_cmps_b, 1, cld, repe cmpsb
    STRCASE repe_cmps_w, 2, cld, repe cmpsw
    STRCASE repe_cmps_d, 4, cld, repe cmpsd
    STRCASE repe_cmps_b_std, 1, std, repe cmpsb
    STRCASE repe_cmps_d_std, 4, std, repe cmpsd
    STRCASE repne_cmps_b, 1, cld, repne cmpsb
    STRCASE repne_cmps_w, 2, cld, repne cmpsw
    STRCASE repne_cmps_d, 4, cld, repne cmpsd
    STRCASE repne_cmps_b_std, 1, std, repne cmpsb
    STRCASE repne_cmps_d_std, 4, std, repne cmpsd
    STRCASE repe_scas_b, 1, cld, repe scasb
    STRCASE repe_scas_w, 2, cld, repe scasw
    STRCASE repe_scas_d, 4, cld, repe scasd
    STRCASE repe_scas_b_std, 1, std, repe scasb
    STRCASE repe_scas_d_std, 4, std, repe scasd
    STRCASE repne_scas_b, 1, cld, repne scasb
    STRCASE repne_scas_w, 2, cld, repne scasw
    STRCASE repne_scas_d, 4, cld, repne scasd
    STRCASE repne_scas_b_std, 1, std, repne scasb
    STRCASE repne_scas_d_std, 4, std, repne scasd
    STRCASE cmps_b, 1, cld, cmpsb
    STRCASE cmps_w, 2, cld, cmpsw
    STRCASE cmps_d, 4, cld, cmpsd
    STRCASE cmps_b_std, 1, std, cmpsb
    STRCASE cmps_d_std, 4, std, cmpsd
    STRCASE rep_movsb_fs, 1, cld, fs rep movsb

    ; 16-bit addressing: SI starts 8 bytes below 64 KiB and wraps to 0; DI points into DST.
    CASE_BEGIN rep_movsb_a16
    call fill_buffers
    mov esi, 0xabc0fff8
    mov edi, DST
    RELOAD_FLAGS
    a16 rep movsb
    SAVE_FLAGS
    FINISH 0xabc0fff8, DST
    RESTORE_FLAGS
    CASE_END
    CASE_BEGIN repne_scasb_a16
    call fill_buffers
    mov esi, SRC
    mov edi, 0x0001fffe          ; upper half of EDI is ignored; scanning wraps from 0xffff to 0
    RELOAD_FLAGS
    a16 repne scasb
    SAVE_FLAGS
    FINISH SRC, 0x0001fffe
    RESTORE_FLAGS
    CASE_END

%include "harness-end.inc"

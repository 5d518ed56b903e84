; BCD group: DAA DAS AAA AAS over every AL value with each AF/CF combination, AAM and AAD with
; base 10 and other bases, and AAM 0 (#DE).
%include "harness.inc"

; AL = 0..255 with a fixed pattern in AH (AAA/AAS adjust AH; AAD folds it into AL).
bytes:
%assign i 0
%rep 256
    dd 0x5a3c0000 | (((i * 37) & 0xff) << 8) | i
%assign i i + 1
%endrep
NBYTES equ ($ - bytes) / 4

; Every AF/CF combination, with and without the other arithmetic flags set.
bcd_flags: dd 0x002, 0x003, 0x012, 0x013, 0x8c6, 0x8d7
NBCD_FLAGS equ ($ - bcd_flags) / 4

main:
    USE_FLAGS bcd_flags, NBCD_FLAGS
    CASES "daa", daa_, bytes, NBYTES, values, 1
    CASES "das", das_, bytes, NBYTES, values, 1
    CASES "aaa", aaa_, bytes, NBYTES, values, 1
    CASES "aas", aas_, bytes, NBYTES, values, 1
    USE_FLAGS flag_inputs, 2
    CASES "aam", aam_, bytes, NBYTES, values, 1
    CASES "aam16", aam_16, bytes, NBYTES, values, 1
    CASES "aam0", aam_0, bytes, 4, values, 1
    CASES "aad", aad_, bytes, NBYTES, values, 1
    CASES "aad7", aad_7, bytes, NBYTES, values, 1
    ret

    CASE daa_, daa
    CASE das_, das
    CASE aaa_, aaa
    CASE aas_, aas
    CASE aam_, aam
    CASE aam_16, aam 16
    CASE_BEGIN aam_0
    TRY .caught
    aam 0
.caught:
    mov dword [exc_resume], 0
    CASE_END
    CASE aad_, aad
    CASE aad_7, aad 7

%include "harness-end.inc"

; Multiply and divide group: MUL, IMUL (one-, two- and three-operand forms), DIV and IDIV in
; 8-, 16- and 32-bit forms, including the #DE cases (divide by zero, quotient overflow).
%include "harness.inc"

main:
    CASES "mul8", mul_8
    CASES "mul16", mul_16
    CASES "mul32", mul_32
    CASES "mul32m", mul_32m
    CASES "imul8", imul_8
    CASES "imul16", imul_16
    CASES "imul32", imul_32
    CASES "imul16r", imul_16r
    CASES "imul32r", imul_32r
    CASES "imul32i", imul_32i
    CASES "imul16i8", imul_16i8
    CASES "imul32m", imul_32m
    CASES "div8", div_8
    CASES "div16", div_16
    CASES "div32", div_32
    CASES "div32m", div_32m
    CASES "idiv8", idiv_8
    CASES "idiv16", idiv_16
    CASES "idiv32", idiv_32
    CASES "idiv32x", idiv_32x
    ret

; EAX = a, EBX = b; EDX = ~a is the high half of the dividend for DIV/IDIV.
    CASE mul_8, mul bl
    CASE mul_16, mul bx
    CASE mul_32, mul ebx
    CASE_BEGIN mul_32m
    mov [SCRATCH], ebx
    mul dword [SCRATCH]
    CASE_END
    CASE imul_8, imul bl
    CASE imul_16, imul bx
    CASE imul_32, imul ebx
    CASE imul_16r, imul ax, bx
    CASE imul_32r, imul eax, ebx
    CASE imul_32i, imul ecx, eax, 0x12345
    CASE imul_16i8, imul cx, ax, -3
    CASE_BEGIN imul_32m
    mov [SCRATCH], ebx
    imul eax, dword [SCRATCH]
    CASE_END

; DIV/IDIV may raise #DE: the catcher resumes at .caught with the registers of the fault.
%macro DIVCASE 2+
    CASE_BEGIN %1
    TRY .caught
    %2
.caught:
    mov dword [exc_resume], 0
    CASE_END
%endmacro
    DIVCASE div_8, div bl
    DIVCASE div_16, div bx
    DIVCASE div_32, div ebx
    CASE_BEGIN div_32m
    mov [SCRATCH], ebx
    TRY .caught
    div dword [SCRATCH]
.caught:
    mov dword [exc_resume], 0
    CASE_END
    DIVCASE idiv_8, idiv bl
    DIVCASE idiv_16, idiv bx
    DIVCASE idiv_32, idiv ebx
    ; Sign-extended dividend (CDQ): mostly in range, so the quotient and remainder signs show.
    CASE_BEGIN idiv_32x
    cdq
    TRY .caught
    idiv ebx
.caught:
    mov dword [exc_resume], 0
    CASE_END

%include "harness-end.inc"

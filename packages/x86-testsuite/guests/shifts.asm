; Shift and rotate group: SHL SHR SAR ROL ROR RCL RCR by CL, by 1 and by an immediate, in 8-,
; 16- and 32-bit forms, and SHLD/SHRD (16/32-bit, CL and immediate). Count comes from b (CL).
%include "harness.inc"

; Counts around every boundary: 0, 1, sizes +-1, 31, and 32/33 (masked to 0/1 by the CPU).
counts:
    dd 0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33
NCOUNTS equ ($ - counts) / 4
; 16-bit SHLD/SHRD: a count above 16 leaves result and flags undefined, so stay at or below it
; (32 and 33 are masked to 0 and 1).
counts16:
    dd 0, 1, 2, 7, 8, 15, 16, 32, 33
NCOUNTS16 equ ($ - counts16) / 4

main:
%macro SHIFTOP 1
    CASES {%str(%1), "32"}, %1_32, values, NVALUES, counts, NCOUNTS
    CASES {%str(%1), "16"}, %1_16, values, NVALUES, counts, NCOUNTS
    CASES {%str(%1), "8"}, %1_8, values, NVALUES, counts, NCOUNTS
    CASES {%str(%1), "32m"}, %1_32m, values, NVALUES, counts, NCOUNTS
    CASES {%str(%1), "32o1"}, %1_32o1, values, NVALUES, counts, 1
    CASES {%str(%1), "8o1"}, %1_8o1, values, NVALUES, counts, 1
    CASES {%str(%1), "16i5"}, %1_16i5, values, NVALUES, counts, 1
    CASES {%str(%1), "32i31"}, %1_32i31, values, NVALUES, counts, 1
    CASES {%str(%1), "8i9"}, %1_8i9, values, NVALUES, counts, 1
%endmacro
    SHIFTOP shl
    SHIFTOP shr
    SHIFTOP sar
    SHIFTOP rol
    SHIFTOP ror
    SHIFTOP rcl
    SHIFTOP rcr
    CASES "shld32", shld_32, values, NVALUES, counts, NCOUNTS
    CASES "shrd32", shrd_32, values, NVALUES, counts, NCOUNTS
    CASES "shld16", shld_16, values, NVALUES, counts16, NCOUNTS16
    CASES "shrd16", shrd_16, values, NVALUES, counts16, NCOUNTS16
    CASES "shld32i1", shld_32i1, values, NVALUES, values, NVALUES
    CASES "shrd32i7", shrd_32i7, values, NVALUES, values, NVALUES
    CASES "shld16i12", shld_16i12, values, NVALUES, values, NVALUES
    CASES "shrd32m", shrd_32m, values, NVALUES, counts, NCOUNTS
    ret

; In every case EAX = a (operand), ECX = b (count in CL), EDX = ~a (SHLD/SHRD fill bits).
%macro SHIFTCASES 1
    CASE %1_32, %1 eax, cl
    CASE %1_16, %1 ax, cl
    CASE %1_8, %1 al, cl
    CASE_BEGIN %1_32m
    mov [SCRATCH], eax
    %1 dword [SCRATCH], cl
    mov eax, [SCRATCH]
    CASE_END
    CASE %1_32o1, %1 eax, 1
    CASE %1_8o1, %1 al, 1
    CASE %1_16i5, %1 ax, 5
    CASE %1_32i31, %1 eax, 31
    CASE %1_8i9, %1 al, 9
%endmacro
    SHIFTCASES shl
    SHIFTCASES shr
    SHIFTCASES sar
    SHIFTCASES rol
    SHIFTCASES ror
    SHIFTCASES rcl
    SHIFTCASES rcr
    CASE shld_32, shld eax, edx, cl
    CASE shrd_32, shrd eax, edx, cl
    CASE shld_16, shld ax, dx, cl
    CASE shrd_16, shrd ax, dx, cl
    ; Immediate forms: b is the fill operand (EBX) here.
    CASE shld_32i1, shld eax, ebx, 1
    CASE shrd_32i7, shrd eax, ebx, 7
    CASE shld_16i12, shld ax, bx, 12
    CASE_BEGIN shrd_32m
    mov [SCRATCH], eax
    shrd dword [SCRATCH], edx, cl
    mov eax, [SCRATCH]
    CASE_END

%include "harness-end.inc"

; ALU group: ADD ADC SUB SBB AND OR XOR CMP TEST INC DEC NEG NOT in 8-, 16- and 32-bit forms,
; register and memory operands, over every pair of test values and both flag inputs.
%include "harness.inc"

main:
%macro BINOP 1
    CASES {%str(%1), "32"}, %1_32
    CASES {%str(%1), "16"}, %1_16
    CASES {%str(%1), "8"}, %1_8
    CASES {%str(%1), "8h"}, %1_8h
    CASES {%str(%1), "32m"}, %1_32m
%endmacro
    BINOP add
    BINOP adc
    BINOP sub
    BINOP sbb
    BINOP cmp
    BINOP and
    BINOP or
    BINOP xor
    BINOP test
    CASES "add32i", add32i
    CASES "adc16i8", adc16i8
    CASES "sub8i", sub8i
    CASES "and32i8", and32i8
    CASES "cmp32ai", cmp32ai
%macro UNOP 1
    CASES {%str(%1), "32"}, %1_32, values, NVALUES, values, 1
    CASES {%str(%1), "16"}, %1_16, values, NVALUES, values, 1
    CASES {%str(%1), "8"}, %1_8, values, NVALUES, values, 1
    CASES {%str(%1), "32m"}, %1_32m, values, NVALUES, values, 1
%endmacro
    UNOP inc
    UNOP dec
    UNOP neg
    UNOP not
    ret

%macro BINCASES 1
    CASE %1_32, %1 eax, ebx
    CASE %1_16, %1 ax, bx
    CASE %1_8, %1 al, bl
    CASE %1_8h, %1 ah, bh
    CASE_BEGIN %1_32m
    mov [SCRATCH], eax
    %1 dword [SCRATCH], ebx
    mov eax, [SCRATCH]
    CASE_END
%endmacro
    BINCASES add
    BINCASES adc
    BINCASES sub
    BINCASES sbb
    BINCASES cmp
    BINCASES and
    BINCASES or
    BINCASES xor
    BINCASES test
    CASE add32i, add eax, 0x80000001
    CASE adc16i8, adc ax, byte -2
    CASE sub8i, sub al, 0x81
    CASE and32i8, and ebx, byte -16
    CASE cmp32ai, cmp eax, 0x7fffffff

%macro UNCASES 1
    CASE %1_32, %1 eax
    CASE %1_16, %1 ax
    CASE %1_8, %1 al
    CASE_BEGIN %1_32m
    mov [SCRATCH], eax
    %1 dword [SCRATCH]
    mov eax, [SCRATCH]
    CASE_END
%endmacro
    UNCASES inc
    UNCASES dec
    UNCASES neg
    UNCASES not

%include "harness-end.inc"

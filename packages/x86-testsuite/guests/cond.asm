; Condition group: SETcc, CMOVcc (16/32-bit, register and memory) and Jcc (short and near) for
; all 16 conditions, over all 32 combinations of CF, PF, ZF, SF and OF.
%include "harness.inc"

cond_flags:
%assign i 0
%rep 32
    dd 0x002 | ((i & 1) * F_CF) | (((i >> 1) & 1) * F_PF) | (((i >> 2) & 1) * F_ZF) | (((i >> 3) & 1) * F_SF) | (((i >> 4) & 1) * F_OF)
%assign i i + 1
%endrep
NCOND_FLAGS equ ($ - cond_flags) / 4
cond_values: dd 0x11111111, 0xeeeeeeee

main:
    USE_FLAGS cond_flags, NCOND_FLAGS
%macro CC 1
    CASES {"set", %str(%1)}, set%1_, cond_values, 1, cond_values + 4, 1
    CASES {"cmov", %str(%1), "32"}, cmov%1_32, cond_values, 1, cond_values + 4, 1
    CASES {"cmov", %str(%1), "16"}, cmov%1_16, cond_values, 1, cond_values + 4, 1
    CASES {"cmov", %str(%1), "32m"}, cmov%1_32m, cond_values, 1, cond_values + 4, 1
    CASES {"j", %str(%1)}, j%1_, cond_values, 1, cond_values + 4, 1
    CASES {"j", %str(%1), "near"}, j%1_near, cond_values, 1, cond_values + 4, 1
%endmacro
%macro ALLCC 0
    CC o
    CC no
    CC b
    CC ae
    CC e
    CC ne
    CC be
    CC a
    CC s
    CC ns
    CC p
    CC np
    CC l
    CC ge
    CC le
    CC g
%endmacro
    ALLCC
    ret

; EAX = a, EBX = b. SETcc writes CL (ECX = b, so the upper bytes show it writes one byte).
%unmacro CC 1
%macro CC 1
    CASE set%1_, set%1 cl
    CASE cmov%1_32, cmov%1 eax, ebx
    CASE cmov%1_16, cmov%1 ax, bx
    CASE_BEGIN cmov%1_32m
    mov [SCRATCH], ebx
    cmov%1 eax, [SCRATCH]
    CASE_END
    CASE_BEGIN j%1_
    j%1 short .taken
    mov eax, 0
    jmp short .done
.taken:
    mov eax, 1
.done:
    CASE_END
    CASE_BEGIN j%1_near
    j%1 near .taken
    mov eax, 0
    jmp near .done
    times 200 nop
.taken:
    mov eax, 1
.done:
    CASE_END
%endmacro
    ALLCC

%include "harness-end.inc"

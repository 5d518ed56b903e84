; MUL, IMUL (1, 2 and 3 operands), DIV and IDIV at 8/16/32 bits, including #DE for division by
; zero and quotient overflow (the handler prints the vector, error code and faulting EIP).
%include "lib/rom.inc"

%macro LOADV 0
        mov eax, [vals + esi * 4]
        mov ecx, [vals + edi * 4]
        mov edx, [vals + 4 + esi * 4]
        push dword [flags_in + ebp * 4]
        popfd
%endmacro

%macro M1 1
        LOADV
        %1 ecx
        DUMPA
        LOADV
        %1 cx
        DUMPA
        LOADV
        %1 cl
        DUMPA
%endmacro

%macro DV 1
        RESUME_AT %%r1
        LOADV
        %1 ecx
%%r1:   DUMPA 0
        RESUME_AT %%r2
        LOADV
        %1 cx
%%r2:   DUMPA 0
        RESUME_AT %%r3
        LOADV
        %1 cl
%%r3:   DUMPA 0
%endmacro

test_main:
        call install_idt
        xor ebp, ebp
.flags: xor esi, esi
.a:     xor edi, edi
.b:     M1 mul
        M1 imul
        LOADV
        imul eax, ecx
        DUMPA
        LOADV
        imul ax, cx
        DUMPA
        LOADV
        imul eax, ecx, 0x7ffffff1
        DUMPA
        LOADV
        imul ax, cx, -3
        DUMPA
        DV div
        DV idiv
        inc edi
        cmp edi, NVALS
        jb .b
        inc esi
        cmp esi, NVALS
        jb .a
        inc ebp
        cmp ebp, 2
        jb .flags
        mov al, 0
        ret

flags_in: dd 0x00000002, 0x000008d7
vals:   dd 0x00000000, 0x00000001, 0x00000002, 0x0000007f, 0x00000080, 0x0000ffff, 0x00008000
        dd 0x7fffffff, 0x80000000, 0xffffffff, 0x12ff80fe, 0xfffffffe, 0x00000003, 0x00000000
NVALS equ ($ - vals) / 4 - 1

%include "lib/rom-end.inc"

; ALU group: ADD ADC SUB SBB AND OR XOR CMP TEST, INC DEC NEG NOT at 8, 16 and 32 bits, every
; pair from a table of edge values, with all arithmetic flags clear and all set on entry.
%include "lib/rom.inc"

; Load operands: EAX = vals[esi], ECX = vals[edi], EFLAGS = flags_in[ebp].
%macro LOADV 0
        mov eax, [vals + esi * 4]
        mov ecx, [vals + edi * 4]
        push dword [flags_in + ebp * 4]
        popfd
%endmacro

%macro BIN 1
        LOADV
        %1 eax, ecx
        DUMPA
        LOADV
        %1 ax, cx
        DUMPA
        LOADV
        %1 al, cl
        DUMPA
        LOADV
        %1 ah, ch
        DUMPA
%endmacro

%macro UN 1
        LOADV
        %1 eax
        DUMPA
        LOADV
        %1 ax
        DUMPA
        LOADV
        %1 al
        DUMPA
%endmacro

test_main:
        xor ebp, ebp
.flags: xor esi, esi
.a:     xor edi, edi
        UN inc
        UN dec
        UN neg
        UN not
.b:     BIN add
        BIN adc
        BIN sub
        BIN sbb
        BIN and
        BIN or
        BIN xor
        BIN cmp
        BIN test
        ; immediate and memory forms
        LOADV
        add eax, 0x7fffffff
        DUMPA
        LOADV
        sub ax, 0x8001
        DUMPA
        LOADV
        adc al, 0x80
        DUMPA
        LOADV
        sbb eax, -1
        DUMPA
        LOADV
        mov [SCRATCH], ecx
        add [SCRATCH], eax
        mov edx, [SCRATCH]
        DUMPA
        LOADV
        mov [SCRATCH], ecx
        sub eax, [SCRATCH]
        DUMPA
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
vals:   dd 0x00000000, 0x00000001, 0x0000007f, 0x00000080, 0x00007fff, 0x00008000
        dd 0x7fffffff, 0x80000000, 0xffffffff, 0x12ff80fe, 0x0000ff0f, 0xa5a5005a
NVALS equ ($ - vals) / 4

%include "lib/rom-end.inc"

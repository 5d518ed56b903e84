; Shifts and rotates: ROL ROR RCL RCR SHL SHR SAR by CL = 0..33 and by 1 and imm8, at 8/16/32
; bits, plus SHLD/SHRD (counts within the operand size, where the SDM defines the result).
%include "lib/rom.inc"

%macro LOADV 0
        mov eax, [vals + esi * 4]
        mov edx, [vals + 4 + esi * 4]
        push dword [flags_in + ebp * 4]
        popfd
%endmacro

%macro SH 1
        LOADV
        %1 eax, cl
        DUMPA
        LOADV
        %1 ax, cl
        DUMPA
        LOADV
        %1 al, cl
        DUMPA
        LOADV
        %1 ah, cl
        DUMPA
%endmacro

%macro SH1 1
        LOADV
        %1 eax, 1
        DUMPA
        LOADV
        %1 dx, 1
        DUMPA
        LOADV
        %1 dh, 1
        DUMPA
        LOADV
        %1 dword [SCRATCH], 5
        DUMPA
%endmacro

test_main:
        mov dword [SCRATCH], 0x81234567
        xor ebp, ebp
.flags: xor esi, esi
.v:     xor ecx, ecx
.c:     SH rol
        SH ror
        SH rcl
        SH rcr
        SH shl
        SH shr
        SH sar
        LOADV
        shld eax, edx, cl
        DUMPA
        LOADV
        shrd eax, edx, cl
        DUMPA
        cmp cl, 16
        ja .skip16
        LOADV
        shld ax, dx, cl
        DUMPA
        LOADV
        shrd ax, dx, cl
        DUMPA
.skip16:
        inc ecx
        cmp ecx, 34
        jb .c
        SH1 rol
        SH1 ror
        SH1 rcl
        SH1 rcr
        SH1 shl
        SH1 shr
        SH1 sar
        LOADV
        shld edx, eax, 7
        DUMPA
        LOADV
        shrd edx, eax, 31
        DUMPA
        inc esi
        cmp esi, NVALS
        jb .v
        inc ebp
        cmp ebp, 2
        jb .flags
        mov al, 0
        ret

flags_in: dd 0x00000002, 0x000008d7
vals:   dd 0x00000000, 0x00000001, 0x80000000, 0x7fffffff, 0xffffffff, 0x12ff80fe, 0x8000c001
        dd 0x40004081, 0x00000000
NVALS equ ($ - vals) / 4 - 1

%include "lib/rom-end.inc"

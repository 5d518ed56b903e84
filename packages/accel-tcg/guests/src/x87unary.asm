; x87 one-operand instructions and conversions on every special operand (lib/x87-values.inc)
; under every rounding and precision control: FSQRT FRNDINT FXTRACT FABS FCHS FTST FXAM, the
; rounding stores FST m32/m64, FIST m16/m32, FISTP m64 and FBSTP (memory printed), the loads
; FLD m32/m64, FILD m16/m32/m64 and FBLD of memory patterns, and the seven constants.
; Each line: status word, ST(0) (and ST(1) or the stored bytes). All exceptions masked.
%include "lib/rom.inc"
%include "lib/x87.inc"
%include "lib/x87-values.inc"

; print ST(0) then pop it
%macro PRINT_POP 0
        fstp tword [SCRATCH]
        push esi
        mov esi, SCRATCH
        call print_f80
        pop esi
%endmacro

test_main:
        xor ebp, ebp
.cw:    xor esi, esi
.a:     TAG
        mov eax, ebp
        call hex16
        mov eax, esi
        call hex16
        call nl_out
        xor ebx, ebx
.op:    fninit
        fldcw [x87_cws + ebp * 2]
        fldz                            ; ST(1) = +0: FXTRACT pushes, FSCALE-free ops ignore it
        imul eax, esi, 10
        fld tword [x87_values + eax]
        mov dword [SCRATCH + 16], 0x55555555
        mov dword [SCRATCH + 20], 0x55555555
        mov dword [SCRATCH + 24], 0x55555555
        call [unary_ops + ebx * 4]
        fnstsw ax
        call print_sw
        PRINT_POP
        call sp_out
        PRINT_POP
        call sp_out
        mov eax, [SCRATCH + 24]
        call hex32
        mov eax, [SCRATCH + 20]
        call hex32
        mov eax, [SCRATCH + 16]
        call hex32
        call nl_out
        inc ebx
        cmp ebx, N_UNARY
        jb .op
        inc esi
        cmp esi, X87_NVALUES
        jb .a
        inc ebp
        cmp ebp, X87_NCWS
        jb .cw

        ; Loads of memory patterns (each under the four rounding modes; loads are exact).
        xor ebp, ebp
.lcw:   xor esi, esi
.pat:   TAG
        mov eax, ebp
        call hex16
        mov eax, esi
        call hex16
        call sp_out
        xor ebx, ebx
.lop:   fninit
        fldcw [x87_cws + 8 * 2 + ebp * 2]
        mov eax, esi
        shl eax, 4
        add eax, mem_patterns
        call [load_ops + ebx * 4]
        fnstsw ax
        call print_sw
        PRINT_POP
        call sp_out
        inc ebx
        cmp ebx, N_LOAD
        jb .lop
        call nl_out
        inc esi
        cmp esi, N_PATTERNS
        jb .pat
        inc ebp
        cmp ebp, 4
        jb .lcw

        ; Constants under each rounding mode.
        xor ebp, ebp
.ccw:   TAG
        fninit
        fldcw [x87_cws + 8 * 2 + ebp * 2]
        fld1
        fldl2t
        fldl2e
        fldpi
        fldlg2
        fldln2
        fldz
        mov ecx, 7
.cpop:  PRINT_POP
        call sp_out
        loop .cpop
        call nl_out
        inc ebp
        cmp ebp, 4
        jb .ccw
        xor eax, eax
        ret

unary_ops: dd u_fsqrt, u_frndint, u_fxtract, u_fabs, u_fchs, u_ftst, u_fxam, u_fst32, u_fst64
           dd u_fist16, u_fist32, u_fistp64, u_fbstp
N_UNARY equ 13
u_fsqrt:   fsqrt
           ret
; FRNDINT is not governed by PC (SDM Vol. 1 §8.1.5.2) but QEMU 7.2 rounds its result to PC:
; it runs with PC = extended here (test/x87/sdm-status.test.ts covers PC = single).
u_frndint: fnstcw [SCRATCH + 32]
           mov ax, [SCRATCH + 32]
           or word [SCRATCH + 32], 0x0300
           fldcw [SCRATCH + 32]
           frndint
           mov [SCRATCH + 32], ax
           fldcw [SCRATCH + 32]
           ret
u_fxtract: fxtract
           ret
u_fabs:    fabs
           ret
u_fchs:    fchs
           ret
u_ftst:    ftst
           ret
u_fxam:    fxam
           ret
u_fst32:   fst dword [SCRATCH + 16]
           ret
u_fst64:   fst qword [SCRATCH + 16]
           ret
u_fist16:  fist word [SCRATCH + 16]
           ret
u_fist32:  fist dword [SCRATCH + 16]
           ret
; The popping stores push a +0 back so every line prints two registers.
u_fistp64: fistp qword [SCRATCH + 16]
           fldz
           ret
u_fbstp:   fbstp tword [SCRATCH + 16]
           fldz
           ret

; Load ops take the pattern address in EAX and push one value.
load_ops:  dd l_fld32, l_fld64, l_fild16, l_fild32, l_fild64, l_fbld
N_LOAD equ 6
l_fld32:   fld dword [eax]
           ret
l_fld64:   fld qword [eax]
           ret
l_fild16:  fild word [eax]
           ret
l_fild32:  fild dword [eax]
           ret
l_fild64:  fild qword [eax]
           ret
l_fbld:    fbld tword [eax]
           ret

; 16-byte memory patterns read as every format (m32 at +0, m64 at +0, BCD at +0).
mem_patterns:
        dq 0x0000000000000000, 0
        dq 0x8000000080000000, 0x8000
        dq 0x3ff000003f800000, 0
        dq 0x7ff000007f800000, 0           ; infinities
        dq 0x7ff800007fc00000, 0           ; QNaNs
        dq 0x7ff400007fa00000, 0           ; SNaNs
        dq 0x0000000100000001, 0           ; smallest denormals
        dq 0x000fffff007fffff, 0           ; largest denormals
        dq 0xffefffffff7fffff, 0           ; -largest finite
        dq 0x0123456789abcdef, 0x0000      ; BCD with invalid digits / arbitrary bits
        dq 0x9876543210987654, 0x0099      ; BCD 18 digits
        dq 0x1234567890123456, 0x8000      ; BCD negative
        dq 0xffffffffffffffff, 0xffff      ; all ones (BCD indefinite-like, NaNs)
        dq 0x4009_21fb_5444_2d18, 0        ; pi as a double (m32 view: low half)
N_PATTERNS equ 14

%include "lib/rom-end.inc"

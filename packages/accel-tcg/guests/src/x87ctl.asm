; x87 control machinery in 32-bit protected mode: FNINIT values, FLDCW/FNSTCW, FNSTSW AX,
; FNCLEX, FNSTENV/FLDENV and FNSAVE/FRSTOR in the 32- and 16-bit protected layouts, the full
; tag word, FFREE/FFREEP, FINCSTP/FDECSTP, FCMOVcc, FIP/FCS and FDP/FDS. (Stack faults are in
; x87stack.asm: QEMU 7.2 does not detect stack overflow or underflow at all.)
; FOP is masked out of the 32-bit environment image: QEMU 7.2 stores no FOP there (SDM Vol. 1
; Figure 8-9 puts it in bits 16-26 of the FCS dword; tsvm does, test/x87 checks it).
%include "lib/rom.inc"
%include "lib/x87.inc"

%include "lib/x87-dump.inc"

test_main:
        fninit
        DUMPENV
        fnstcw [SCRATCH]
        fnstsw ax
        mov dx, [SCRATCH]
        shl edx, 16
        mov dx, ax
        mov eax, edx
        TAG
        call hex32
        call nl_out
        ; Pointers: a memory operand with an override and a displacement.
        mov ebx, SCRATCH + 0x40
        fld1
        fstp dword [fs:ebx + 8]
        DUMPENV
        ; Tags: valid, zero, special (inf, denormal, NaN), empty.
        fninit
        fld tword [v_denormal]
        fld tword [v_inf]
        fldz
        fld1
        fld tword [v_qnan]
        DUMPENV
        DUMPREGS
        ; FFREE ST(1), FINCSTP/FDECSTP, FFREEP.
        ffree st1
        DUMPENV
        fincstp
        fincstp
        DUMPENV
        fdecstp
        DUMPENV
        ffreep st0
        DUMPENV
        ; FNCLEX clears the flags, SF, ES and B but not the condition codes.
        fnclex
        DUMPENV
        ; FLDCW with exceptions still masked, precision and rounding bits readable.
        fldcw [cw_odd]
        fnstcw [SCRATCH]
        mov ax, [SCRATCH]
        TAG
        call hex16
        call nl_out
        ; FNSTENV/FLDENV round trip of a non-trivial state in the 16-bit layout.
        fninit
        fld1
        fldpi
        fincstp
        o16 fnstenv [ENV + 0x40]
        mov esi, ENV + 0x40
        mov ecx, 7
.e16:   mov ax, [esi]
        call hex16
        call sp_out
        add esi, 2
        loop .e16
        call nl_out
        fninit
        ; The image's FIP/FCS and FDP/FDS are zeroed first: QEMU 7.2's FLDENV/FRSTOR do not load
        ; the pointers, which the SDM says they do (test/x87/machinery.test.ts checks that).
        mov dword [ENV + 0x40 + 6], 0
        mov dword [ENV + 0x40 + 10], 0
        o16 fldenv [ENV + 0x40]
        DUMPENV
        ; FNSAVE/FRSTOR 16-bit layout.
        o16 fnsave [ENV + 0x80]
        DUMPENV
        mov dword [ENV + 0x80 + 6], 0
        mov dword [ENV + 0x80 + 10], 0
        o16 frstor [ENV + 0x80]
        DUMPENV
        DUMPREGS
        ; FCMOVcc under every EFLAGS combination of CF ZF PF.
        xor edi, edi
.fl:    TAG
        mov ebp, [flag_combos + edi * 4]
        fninit
        fldpi
        fld1
        fldz                        ; ST0 = 0, ST1 = 1, ST2 = pi
        mov esi, SCRATCH
        push ebp
        popfd
        fcmovb st0, st1
        fcmove st0, st2
        fstp tword [SCRATCH]
        call print_f80
        call sp_out
        fldz
        push ebp
        popfd
        fcmovbe st0, st1
        fcmovu st0, st2
        fstp tword [SCRATCH]
        call print_f80
        call sp_out
        fldz
        push ebp
        popfd
        fcmovnb st0, st1
        fcmovne st0, st2
        fstp tword [SCRATCH]
        call print_f80
        call sp_out
        fldz
        push ebp
        popfd
        fcmovnbe st0, st1
        fcmovnu st0, st2
        fstp tword [SCRATCH]
        call print_f80
        call nl_out
        inc edi
        cmp edi, 8
        jb .fl
.done:  xor eax, eax
        ret

flag_combos: dd 0x02, 0x03, 0x06, 0x07, 0x42, 0x43, 0x46, 0x47
cw_odd: dw 0x0e7f
v_denormal: dq 0x0000000000000123
            dw 0
v_inf:  dq 0x8000000000000000
        dw 0x7fff
v_qnan: dq 0xc000000000001234
        dw 0xffff

%include "lib/rom-end.inc"

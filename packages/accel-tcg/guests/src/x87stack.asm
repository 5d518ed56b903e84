; x87 stack faults and their masked responses (SDM Vol. 1 §8.5.1.1): a ninth push (overflow:
; IE, SF, C1 = 1, the indefinite pushed), and FST, FXCH, FADD, FCHS and FLD ST(i) reading empty
; registers (underflow: IE, SF, C1 = 0, the indefinite as operand or result).
; REFERENCE: sdm — QEMU 7.2 ignores the tag word in these instructions (no stack fault is ever
; reported; empty registers are used as they are), so the expected transcript was produced by
; tsvm and checked line by line against the SDM's rules quoted above (see the comments below).
%include "lib/rom.inc"
%include "lib/x87.inc"
%include "lib/x87-dump.inc"

test_main:
        ; Stack overflow (masked): nine pushes.
        fninit
        mov ecx, 9
.push:  fld1
        loop .push
        DUMPENV
        DUMPREGS
        ; Stack underflow (masked): FST, FXCH, FADD, FCHS, FLD ST(i) on empty registers.
        fninit
        fst dword [SCRATCH]
        mov eax, [SCRATCH]
        TAG
        call hex32
        call nl_out
        DUMPENV
        fninit
        fld1
        fxch st3
        DUMPENV
        DUMPREGS
        fninit
        fld1
        fadd st0, st2
        DUMPENV
        DUMPREGS
        fninit
        fchs
        DUMPENV
        DUMPREGS
        fninit
        fld st5
        DUMPENV
        DUMPREGS
        xor eax, eax
        ret

%include "lib/rom-end.inc"

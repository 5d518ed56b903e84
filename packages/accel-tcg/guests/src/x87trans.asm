; x87 transcendentals: FSIN FCOS FSINCOS FPTAN F2XM1 (ST(0) = a) and FPATAN FYL2X FYL2XP1
; (ST(0) = a, ST(1) = b) over arguments inside their domains, under round-to-nearest
; (RC changes only the last bit). Each line: status word, ST(0), ST(1). Compared with QEMU
; within the tolerance stated in test/x87/transcendental.test.ts (not by guests.test.ts).
; COMPARE: tolerance (test/x87/transcendental.test.ts), not bit for bit
%include "lib/rom.inc"
%include "lib/x87.inc"

%macro F80 2
        dq %1
        dw %2
%endmacro

test_main:
        xor esi, esi
.a:     TAG
        mov eax, esi
        call hex16
        call nl_out
        xor ebx, ebx
.op:    fninit
        imul eax, esi, 10
        fld tword [trans_b + eax]
        fld tword [trans_a + eax]
        call [trans_ops + ebx * 4]
        fnstsw ax
        call print_sw
        fstp tword [SCRATCH]
        fstp tword [SCRATCH + 16]
        push esi
        mov esi, SCRATCH
        call print_f80
        call sp_out
        mov esi, SCRATCH + 16
        call print_f80
        pop esi
        call nl_out
        inc ebx
        cmp ebx, 8
        jb .op
        inc esi
        cmp esi, N_TRANS
        jb .a
        xor eax, eax
        ret

trans_ops: dd t_fsin, t_fcos, t_fsincos, t_fptan, t_f2xm1, t_fpatan, t_fyl2x, t_fyl2xp1
t_fsin:    fsin
           ret
t_fcos:    fcos
           ret
t_fsincos: fsincos
           ret
t_fptan:   fptan
           ret
t_f2xm1:   f2xm1
           ret
t_fpatan:  fpatan
           fldz
           ret
t_fyl2x:   fyl2x
           fldz
           ret
t_fyl2xp1: fyl2xp1
           fldz
           ret

; a: arguments for ST(0); b: the second operand for FPATAN/FYL2X/FYL2XP1 (ST(1)).
; Arguments stay inside every instruction's SDM domain (|x| <= 1 for F2XM1, |x| < 1 - sqrt(2)/2
; for FYL2XP1; FYL2X of a negative x is the SDM's invalid case on both) and small enough for FSIN/FCOS/FPTAN that QEMU's evaluation in
; host doubles keeps about 53 good bits (it loses them all for large arguments or near pi).
trans_a:
        F80 0x0000000000000000, 0x0000      ; +0
        F80 0xcccccccccccccccd, 0x3ffc      ; 0.2
        F80 0x8000000000000000, 0x3ffd      ; 0.25
        F80 0x8000000000000000, 0xbffd      ; -0.25
        F80 0xcccccccccccccccd, 0x3ffb      ; 0.1
        F80 0x8000000000000000, 0x3fef      ; 2^-16
        F80 0x8000000000000001, 0x3ff0      ; 2^-15 + tiny
        F80 0x8a3d70a3d70a3d71, 0x3ffd      ; 0.27
        F80 0x8f5c28f5c28f5c29, 0x3ffd      ; 0.28
        F80 0x9999999999999999, 0x3ffc      ; 0.15
        F80 0xa2f9836e4e441529, 0x3ffd      ; 0.318
        F80 0xb17217f7d1cf79ac, 0x3ffd      ; 0.173
        F80 0x0000000000000000, 0x8000      ; -0
        F80 0xc000000000000000, 0x7fff      ; QNaN
        F80 0xd49a784bcd1b8afe, 0x3ffb      ; 0.104
        F80 0xe000000000000000, 0x3ffc      ; 0.21875
        F80 0x8000000000000000, 0x3fc0      ; 2^-63
        F80 0xaaaaaaaaaaaaaaab, 0x3ffc      ; 1/6
        F80 0x8f5c28f5c28f5c29, 0xbffd      ; -0.28
        F80 0xfedcba9876543210, 0x3ffa      ; 0.0622
N_TRANS equ 20
trans_b:
        F80 0x8000000000000000, 0x3fff      ; 1
        F80 0x8000000000000000, 0xbfff      ; -1
        F80 0xc000000000000000, 0x4000      ; 3
        F80 0xc000000000000000, 0x4000
        F80 0x8000000000000000, 0x3ffe      ; 0.5
        F80 0xb504f333f9de6484, 0x3fff      ; sqrt 2
        F80 0x8000000000000000, 0xbfff
        F80 0x8000000000000000, 0x3fff
        F80 0x0000000000000000, 0x0000      ; +0
        F80 0x8000000000000000, 0x7fff      ; +inf
        F80 0x8000000000000000, 0x4005      ; 64
        F80 0x8000000000000000, 0x3ffd      ; 0.25
        F80 0x8000000000000000, 0x3fff
        F80 0x8000000000000000, 0x3fff
        F80 0x8000000000000000, 0x3fff
        F80 0x8000000000000000, 0x3fff
        F80 0x8000000000000000, 0xc000      ; -2
        F80 0xc90fdaa22168c235, 0x4000      ; pi
        F80 0x8000000000000000, 0x3fff
        F80 0xaaaaaaaaaaaaaaab, 0x3ffd
%include "lib/rom-end.inc"

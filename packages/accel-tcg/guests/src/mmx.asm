; MMX group: every MMX instruction over a table of edge quadwords (register and memory source
; forms), shifts by operand and by immediate with every interesting count, MOVD/MOVQ in both
; directions, what an MMX instruction does to the x87 state (FXSAVE shows TOP, the abridged tag
; and bits 79..64 of each register), FXSAVE/FXRSTOR round trips, and the faults: #UD with
; CR0.EM, #NM with CR0.TS (MMX and FXSAVE), #UD for the SSE2 (66-prefixed) forms, #GP for a
; misaligned FXSAVE area.
%include "lib/rom.inc"

NVALS   equ 8
QBUF    equ SCRATCH + 0x100          ; one quadword of output
FXAREA  equ SCRATCH + 0x1000         ; 16-byte aligned FXSAVE area
FXIN    equ SCRATCH + 0x1400         ; an FXRSTOR image built by the test

; PQ: print "tag: hi lo" of MM0.
%macro PQ 0
%%here:
        movq [QBUF], mm0
        push dword %%here
        call print_q
%endmacro

; BINOP insn: MM0 = vals[i] insn vals[j] for every pair, register and memory source.
%macro BINOP 1
        xor esi, esi
%%a:    xor edi, edi
%%b:    movq mm0, [vals + esi * 8]
        movq mm1, [vals + edi * 8]
        %1 mm0, mm1
        PQ
        movq mm0, [vals + esi * 8]
        %1 mm0, [vals + edi * 8]
        PQ
        inc edi
        cmp edi, NVALS
        jb %%b
        inc esi
        cmp esi, NVALS
        jb %%a
%endmacro

; SHIFTOP insn: both shift sources by every count in `counts`.
%macro SHIFTOP 1
        xor esi, esi
%%a:    xor edi, edi
%%b:    movq mm0, [shvals + esi * 8]
        movq mm1, [counts + edi * 8]
        %1 mm0, mm1
        PQ
        movq mm0, [shvals + esi * 8]
        %1 mm0, [counts + edi * 8]
        PQ
        inc edi
        cmp edi, NCOUNTS
        jb %%b
        inc esi
        cmp esi, 2
        jb %%a
%endmacro

test_main:
        call install_idt
        BINOP paddb
        BINOP paddw
        BINOP paddd
        BINOP paddsb
        BINOP paddsw
        BINOP paddusb
        BINOP paddusw
        BINOP psubb
        BINOP psubw
        BINOP psubd
        BINOP psubsb
        BINOP psubsw
        BINOP psubusb
        BINOP psubusw
        BINOP pcmpeqb
        BINOP pcmpeqw
        BINOP pcmpeqd
        BINOP pcmpgtb
        BINOP pcmpgtw
        BINOP pcmpgtd
        BINOP pmullw
        BINOP pmulhw
        BINOP pmaddwd
        BINOP pand
        BINOP pandn
        BINOP por
        BINOP pxor
        BINOP packsswb
        BINOP packssdw
        BINOP packuswb
        BINOP punpckhbw
        BINOP punpckhwd
        BINOP punpckhdq
        BINOP punpcklbw
        BINOP punpcklwd
        BINOP punpckldq
        SHIFTOP psllw
        SHIFTOP pslld
        SHIFTOP psllq
        SHIFTOP psrlw
        SHIFTOP psrld
        SHIFTOP psrlq
        SHIFTOP psraw
        SHIFTOP psrad
        call shift_immediates
        call moves
        call x87_effects
        call faults
        mov al, 0
        jmp exit

%macro IMMS 1
%assign k 0
%rep 2
%assign cnt 0
%rep 18
        movq mm0, [shvals + k * 8]
        %1 mm0, cnt * 5 % 67
        PQ
%assign cnt cnt + 1
%endrep
%assign k k + 1
%endrep
%endmacro

shift_immediates:
        IMMS psllw
        IMMS pslld
        IMMS psllq
        IMMS psrlw
        IMMS psrld
        IMMS psrlq
        IMMS psraw
        IMMS psrad
        ; counts above 63 and at the lane boundaries
        movq mm0, [shvals]
        psrlq mm0, 64
        PQ
        movq mm0, [shvals]
        psraw mm0, 255
        PQ
        movq mm0, [shvals]
        psllw mm0, 16
        PQ
        movq mm0, [shvals + 8]
        psrad mm0, 32
        PQ
        ret

moves:
        mov eax, 0x89abcdef
        movq mm3, [vals + 8]
        movd mm3, eax                   ; upper half cleared
        movq mm0, mm3
        PQ
        movd mm0, [vals + 4 * 8 + 4]
        PQ
        mov dword [QBUF], 0x55555555
        movq mm0, [vals + 5 * 8]
        movd [QBUF + 4], mm0
        mov eax, [QBUF + 4]
        movd mm0, eax
        PQ
        movq mm0, [vals + 6 * 8]
        movd ecx, mm0
        movd mm0, ecx
        PQ
        movq mm5, [vals + 7 * 8]
        movq mm0, mm5
        PQ
        movq [QBUF], mm5
        movq mm0, [QBUF]
        PQ
        ret

; Print the x87 header and the low significand dword of every register slot from FXSAVE.
; (Bits 79..64, which the SDM sets to all ones on an MMX write and QEMU 7.2 leaves alone, are
; checked against the SDM in test/fpu/mmx-state.test.ts instead.)
print_fx:
        pushad
        fxsave [FXAREA]
        mov esi, msg_fx
        call puts
        mov eax, [FXAREA]               ; FSW:FCW
        call hex32
        mov al, ' '
        call putc
        movzx eax, word [FXAREA + 4]    ; abridged tag and the reserved byte
        call hex32
        mov ecx, 0
.slot:  mov al, ' '
        call putc
        mov eax, [FXAREA + 32 + ecx]
        call hex32
        add ecx, 16
        cmp ecx, 128
        jb .slot
        mov al, 10
        call putc
        popad
        ret

x87_effects:
        ; An FXRSTOR image with TOP = 5, registers 5..7 valid, distinct patterns everywhere.
        mov edi, FXIN
        mov ecx, 512 / 4
        xor eax, eax
        rep stosd
        mov word [FXIN], 0x037f              ; FCW
        mov word [FXIN + 2], 5 << 11         ; FSW: TOP = 5
        mov byte [FXIN + 4], 0xe0            ; R5, R6, R7 not empty
        mov ecx, 0
.fill:  mov eax, ecx
        imul eax, 0x01010101
        mov edx, ecx
        shl edx, 4
        mov [FXIN + 32 + edx], eax
        not eax
        mov [FXIN + 32 + 4 + edx], eax
        mov word [FXIN + 32 + 8 + edx], 0x4000
        inc ecx
        cmp ecx, 8
        jb .fill
        fxrstor [FXIN]
        call print_fx                   ; the image as loaded
        movq mm0, mm2                   ; MM2 = R2 = ST(5) before TOP becomes 0
        PQ
        call print_fx                   ; TOP 0, all valid, no register written
        paddb mm6, mm6
        call print_fx                   ; R6 written
        emms
        call print_fx                   ; all empty
        fxrstor [FXIN]
        movd eax, mm7                   ; reading an MMX register also enters the MMX state
        call print_fx
        ret

; FAULT insn...: run the instruction with a handler armed; print what happened.
%macro FAULT 1+
%push fault
        RESUME_AT %$resume
        %1
%$resume:
        DUMPA
%pop
%endmacro

faults:
        movq mm0, [vals + 8]
        mov eax, cr0
        or eax, 1 << 2                  ; EM
        mov cr0, eax
        FAULT paddb mm0, mm0
        ; EMMS and FXSAVE with CR0.EM raise #UD per the SDM; QEMU 7.2 runs EMMS and raises #NM
        ; for FXSAVE. test/fpu/mmx-state.test.ts checks those against the SDM.
        and eax, ~(1 << 2)
        or eax, 1 << 3                  ; TS
        mov cr0, eax
        FAULT paddb mm0, mm0
        FAULT movq mm0, [vals]
        FAULT fxsave [FXAREA]
        clts
        FAULT paddb xmm0, xmm0          ; SSE2 form: #UD on this CPU
        FAULT fxsave [FXAREA + 8]       ; misaligned
        FAULT psllq mm0, [vals]
        PQ
        call print_fx
        ret

print_q:
        pushad
        mov eax, [esp + 32 + 4]
        call hex32
        mov al, ':'
        call putc
        mov al, ' '
        call putc
        mov eax, [QBUF + 4]
        call hex32
        mov al, ' '
        call putc
        mov eax, [QBUF]
        call hex32
        mov al, 10
        call putc
        popad
        ret 4

msg_fx: db "FX ", 0

        align 8
vals:   dq 0x0000000000000000, 0xffffffffffffffff, 0x8000800080008000, 0x7fff7fff7fff7fff
        dq 0x0123456789abcdef, 0xfedcba9876543210, 0x807f01fe80017fff, 0x00000001ffffff80
shvals: dq 0x8123456789abcdef, 0x7fedcba987654321
counts: dq 0, 1, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 0x100000000, 0xff
NCOUNTS equ ($ - counts) / 8

%include "lib/rom-end.inc"

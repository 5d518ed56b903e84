; Runner for the randomized x87 differential test (test/random/x87-random.test.ts): like
; runner.asm, the test generates sequences into the bottom of a 1 MiB ROM and appends this
; image as its last 64 KiB. Generated code calls `fpu_dump` through the pointer at 0xFFFF0000
; after every instruction (push mask, push tag, call [ptr]); the dump prints the status word,
; the full tag word, EFLAGS & (ZF|PF|CF), the eight registers in stack order and the 16 bytes
; of store scratch, and leaves every register, EFLAGS and the FPU state as they were.
%define ROM_SIZE 0x10000
%include "lib/rom.inc"

        dd fpu_dump                 ; 0xFFFF0000 (first thing in the image)
%include "lib/x87.inc"
SEQ_BASE equ 0xfff00000
FPU_AREA equ SCRATCH + 0x1000
STORE_SCRATCH equ SCRATCH

test_main:
        call install_idt
        call SEQ_BASE
        mov al, 0
        ret

; [esp] return, [esp+4] tag, [esp+8] mask (unused).
fpu_dump:
        pushfd
        pushad
        mov eax, [esp + 36 + 4]
        call hex32
        mov al, ':'
        call putc
        call sp_out
        fnsave [FPU_AREA]
        mov eax, [FPU_AREA + 4]
        call print_sw
        mov eax, [FPU_AREA + 8]
        call hex16
        call sp_out
        mov eax, [esp + 32]
        and eax, 0x45
        call hex16
        mov esi, FPU_AREA + 28
        mov ecx, 8
.r:     call sp_out
        call print_f80
        add esi, 10
        loop .r
        call sp_out
        mov esi, STORE_SCRATCH + 12
        mov ecx, 4
.m:     mov eax, [esi]
        call hex32
        sub esi, 4
        loop .m
        call nl_out
        frstor [FPU_AREA]
        popad
        popfd
        ret 8

%include "lib/rom-end.inc"

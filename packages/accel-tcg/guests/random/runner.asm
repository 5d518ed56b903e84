; Runner for the randomized differential test. The test generates instruction sequences into the
; first part of a 1 MiB ROM (from 0xFFF00000) and appends this 64 KiB image as its tail. The
; runner boots, installs the exception handlers, calls the generated code, and exits. Generated
; 32-bit code calls `dump` through the pointer at 0xFFFF0000 after every instruction; generated
; 16-bit code (in the code segment 0x28 based at 0xFFF00000) far-calls `dump_far` through the
; far pointer at 0xFFFF0004.
%define ROM_SIZE 0x10000
%include "lib/rom.inc"

%macro EXTRA_GDT 0
        dq 0xff009bf00000ffff           ; 0x28 code16, base 0xFFF00000, limit 0xFFFF
%endmacro

        dd dump                     ; 0xFFFF0000: near entry for 32-bit code
        dd dump_far                 ; 0xFFFF0004: far entry (m16:32) for 16-bit code
        dw SEL_CODE32
SEQ_BASE equ 0xfff00000
test_main:
        call install_idt
        call SEQ_BASE
        mov al, 0
        ret

; Entered by an o32 far call: [esp] EIP, [esp+4] CS, [esp+8] tag, [esp+12] mask.
dump_far:
        push dword [esp + 12]       ; mask
        push dword [esp + 12]       ; tag
        call dump
        retf 8

%include "lib/rom-end.inc"

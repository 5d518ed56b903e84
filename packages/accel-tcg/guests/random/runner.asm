; Runner for the randomized differential test. The test generates instruction sequences into the
; first part of a 1 MiB ROM (from 0xFFF00000) and appends this 64 KiB image as its tail. The
; runner boots, calls the generated code, and exits; generated code calls `dump` through the
; pointer at 0xFFFF0000 after every instruction.
%define ROM_SIZE 0x10000
%include "lib/rom.inc"
        dd dump                     ; 0xFFFF0000: entry the generated code calls
SEQ_BASE equ 0xfff00000
test_main:
        call install_idt
        call SEQ_BASE
        mov al, 0
        ret
%include "lib/rom-end.inc"

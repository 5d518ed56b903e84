; Start-up guest: prints one byte ('T') on COM1 and exits with debug-exit value 0 (status 1).
; Measures how long a VMM takes from process start to the guest's first output and to its exit.
%include "common.inc"

section .text
global _start
_start:
    SETUP_FLAT
    mov al, 'T'
    call putc
    mov al, 0
    jmp exit_with

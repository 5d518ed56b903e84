; Snapshot guest: writes a non-zero pattern over guest RAM from 2 MiB up to FILL_END with REP STOSD
; (so no page is left zero and a snapshot must carry all of them), prints 'F' and exits with
; status 1. Used by the end-to-end snapshot rows (`tsvm run --savevm-at-exit` / `--loadvm`).
%include "common.inc"

%ifndef FILL_END
%define FILL_END (256 << 20)
%endif

section .text
global _start
_start:
    SETUP_FLAT
    cld
    mov edi, 0x200000
    mov ecx, (FILL_END - 0x200000) / 4
    mov eax, 0x5a5aa5a5
    rep stosd
    mov al, 'F'
    call putc
    mov al, 0
    jmp exit_with

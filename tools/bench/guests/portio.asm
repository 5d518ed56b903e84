; Port-I/O exit guest: writes COUNT bytes to port 0x80 (POST code port; every VMM accepts it),
; one OUT instruction per write so each is one VM exit under KVM, then prints "P" and exits with
; status 1. Built with COUNT=100000 and COUNT=0 (and 1000 for the smoke test): the difference
; in wall time divided by COUNT is the cost of one port-I/O exit, with start-up and teardown
; cancelled out.
%include "common.inc"

%ifndef COUNT
%define COUNT 0
%endif

section .text
global _start
_start:
    SETUP_FLAT
    mov ecx, COUNT
    test ecx, ecx
    jz .done
    mov dx, 0x80
.next:
    mov al, cl
    out dx, al
    dec ecx
    jnz .next
.done:
    mov al, 'P'
    call putc
    mov al, 0
    jmp exit_with

; Smoke test: a few ALU operations and a dump.
%include "lib/rom.inc"
test_main:
        mov eax, 0x12345678
        mov ebx, 0x9abcdef0
        add eax, ebx
        DUMP
        sub eax, eax
        DUMP
        mov al, 0
        ret
%include "lib/rom-end.inc"

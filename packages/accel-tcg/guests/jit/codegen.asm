; A guest that never stops writing new code (for the block compiler's memory bound): round after
; round it writes a small function with a fresh immediate into one of 64 slots spread over 16
; pages, calls it often enough to be compiled, and adds up what it returns. The round count is
; the dword at 0x7000 (0: forever); at the end it prints the sum to port 0xE9 and exits with 0.
%include "lib/rom.inc"

CODE    equ 0x200000
ROUNDS  equ 0x7000

test_main:
        xor ebx, ebx                        ; round
        xor edx, edx                        ; sum
.round: mov edi, ebx
        and edi, 63
        shl edi, 10                         ; slot: 1 KiB apart, 4 per page
        add edi, CODE
        mov esi, template
        mov ecx, template_end - template
        rep movsb
        sub edi, template_end - template
        mov [edi + 1], ebx                  ; mov eax, imm32 ← the round number
        mov ecx, 40                         ; above the hot threshold: compiled each round
.call:  push ecx
        push edi
        call edi
        pop edi
        pop ecx
        add edx, eax
        dec ecx
        jnz .call
        inc ebx
        mov eax, [ROUNDS]
        test eax, eax
        jz .round
        cmp ebx, eax
        jb .round
        mov eax, edx
        DUMP
        mov al, 0
        ret

template:
        mov eax, 0x12345678
        lea eax, [eax + eax * 2 + 7]
        xor eax, 0x5a5a5a5a
        ret
template_end:

%include "lib/rom-end.inc"

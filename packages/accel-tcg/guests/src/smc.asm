; Self-modifying code: code copied to RAM runs, is patched, and runs again (translated blocks
; must be dropped), a hundred times in a loop; an instruction patches the very next instruction
; of its own block; code and data share a page.
%include "lib/rom.inc"

CODE    equ 0x60000

test_main:
        ; copy the template and run it
        mov esi, template
        mov edi, CODE
        mov ecx, template_end - template
        rep movsb
        call CODE
        DUMP
        ; patch its immediate (mov eax, imm32 at CODE) and run again
        mov dword [CODE + 1], 0x22222222
        call CODE
        DUMP
        ; loop: patch and run many times (stale blocks would show old values)
        xor edx, edx
        mov ebx, 0
.again: mov [CODE + 1], ebx
        call CODE
        add edx, eax
        inc ebx
        cmp ebx, 100
        jb .again
        DUMP
        ; the patching instruction is in the same block as the patched one
        mov esi, patcher
        mov edi, CODE + 0x100
        mov ecx, patcher_end - patcher
        rep movsb
        call CODE + 0x100
        DUMP
        call CODE + 0x100                   ; second run sees the patched bytes from the start
        DUMP
        mov al, 0
        ret

template:
        mov eax, 0x11111111
        mov [CODE + 0x800], eax             ; data in the same page as the code
        add eax, [CODE + 0x800]
        ret
template_end:

patcher:
        mov byte [CODE + 0x100 + (.imm - patcher)], 0x77
.insn:  mov ecx, 0x55                        ; its immediate byte is patched just before
.imm    equ .insn + 1
        mov byte [CODE + 0x100 + (.imm - patcher)], 0x55
        ret
patcher_end:

%include "lib/rom-end.inc"

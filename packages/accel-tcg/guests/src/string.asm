; String instructions: MOVS, STOS, LODS, CMPS, SCAS at 8/16/32 bits, forward and backward, with
; REP/REPE/REPNE, segment overrides and 16-bit addressing (a32 off); plus LOOP/LOOPE/LOOPNE/JECXZ,
; ENTER/LEAVE, PUSHA/POPA, XLAT, BOUND (#BR), and REP OUTSB / INSB through the port bus.
%include "lib/rom.inc"

SRC     equ SCRATCH + 0x1000
DST     equ SCRATCH + 0x2000

; checksum of DST[0..0x100) into EDX (to compare memory effects)
%macro SUMDST 0
        push esi
        push ecx
        push eax
        xor edx, edx
        mov esi, DST
        mov ecx, 0x40
%%l:    lodsd
        rol edx, 5
        xor edx, eax
        loop %%l
        pop eax
        pop ecx
        pop esi
%endmacro

%macro RESETBUF 0
        pushad
        mov edi, SRC
        mov ecx, 0x100
        mov eax, 0x03020100
%%f:    stosd
        add eax, 0x04040404
        loop %%f
        mov edi, DST
        mov ecx, 0x40
        xor eax, eax
        rep stosd
        popad
%endmacro

test_main:
        call install_idt
        cld
        RESETBUF
        mov esi, SRC + 3
        mov edi, DST + 1
        mov ecx, 37
        rep movsb
        SUMDST
        DUMP
        RESETBUF
        mov esi, SRC + 0x40
        mov edi, DST + 0x80
        mov ecx, 9
        std
        rep movsd
        cld
        SUMDST
        DUMP
        RESETBUF
        mov edi, DST + 2
        mov eax, 0xdeadbeef
        mov ecx, 13
        rep stosw
        SUMDST
        DUMP
        mov esi, SRC + 5
        lodsb
        lodsw
        lodsd
        DUMP
        ; REPE CMPS stops at the first difference
        RESETBUF
        mov esi, SRC
        mov edi, SRC + 0x400
        mov ecx, 0x100
        rep movsb
        mov byte [SRC + 0x400 + 77], 0
        mov esi, SRC
        mov edi, SRC + 0x400
        mov ecx, 0x100
        repe cmpsb
        DUMP
        ; REPNE SCAS finds a byte
        mov edi, SRC
        mov al, 0x42
        mov ecx, 0x200
        repne scasb
        DUMP
        mov edi, SRC
        mov eax, 0x1f1e1d1c
        mov ecx, 0x200
        repne scasd
        DUMP
        ; REP with ECX = 0 does nothing
        mov ecx, 0
        mov esi, SRC
        mov edi, DST
        rep movsd
        DUMP
        ; segment override on the source (FS = flat data)
        RESETBUF
        mov esi, SRC + 8
        mov edi, DST
        mov ecx, 4
        rep fs movsd
        SUMDST
        DUMP
        ; 16-bit addressing: SI/DI wrap within 64 KiB (ES/DS base 0, so SCRATCH's low word)
        RESETBUF
        mov esi, 0xffff0000 | ((SRC + 0x10) & 0xffff)
        mov edi, 0xabcd0000 | (DST & 0xffff)
        mov ecx, 0x55550005
        a16 rep movsw
        DUMP
        ; LOOP family
        mov ecx, 5
        xor eax, eax
.l1:    inc eax
        loop .l1
        DUMP
        mov ecx, 10
        xor eax, eax
.l2:    inc eax
        cmp eax, 3
        loopne .l2
        DUMP
        mov ecx, 0
        jecxz .z
        mov eax, 1
.z:     DUMP
        ; ENTER/LEAVE with nesting levels
        mov ebp, 0x8ff00
        enter 0x20, 0
        DUMP
        leave
        DUMP
        enter 0x10, 3
        DUMP
        leave
        DUMP
        ; PUSHA/POPA
        mov eax, 1
        mov ecx, 2
        mov edx, 3
        mov ebx, 4
        mov ebp, 6
        mov esi, 7
        mov edi, 8
        pushad
        mov eax, [esp + 12]
        xor ecx, ecx
        popad
        DUMP
        pushaw
        popaw
        DUMP
        ; XLAT
        mov ebx, SRC
        mov eax, 0x1234567f
        xlatb
        xor ebx, ebx
        DUMP
        ; BOUND: in range, then below (#BR = vector 5)
        mov dword [SCRATCH], 10
        mov dword [SCRATCH + 4], 20
        mov eax, 15
        bound eax, [SCRATCH]
        DUMP
        RESUME_AT .afterbound
        mov eax, 9
        bound eax, [SCRATCH]
.afterbound:
        DUMP
        ; OUTS/INS through the port bus: REP OUTSB prints, INSB reads the debug console's
        ; readback value (0xE9)
        mov esi, outs_msg
        mov ecx, outs_len
        mov dx, DEBUGCON
        rep outsb
        mov edi, SCRATCH + 0x300
        mov dword [edi], 0
        insb
        mov eax, [SCRATCH + 0x300]
        DUMP
        mov al, 0
        ret

outs_msg: db "written by rep outsb", 10
outs_len equ $ - outs_msg

%include "lib/rom-end.inc"

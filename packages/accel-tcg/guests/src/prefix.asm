; Prefix combinations: repeated and mixed prefixes, REPNE on MOVS/STOS (acts as REP), a segment
; override that does not apply to a string destination (ES:EDI stays), overrides on
; instructions without memory operands (ignored), the last segment override winning, 0x66 and
; 0x67 together on string instructions, REP on non-string instructions (ignored), LOCK on a
; valid read-modify-write, and the 15-byte instruction length limit (#GP).
%include "lib/rom.inc"

%macro EXTRA_GDT 0
        dq 0x00cf93020000ffff | (0x1000 << 16)   ; 0x28 data, base 0x21000 (= SCRATCH + 0x1000)
%endmacro

test_main:
        call install_idt
        mov edi, SCRATCH
        mov ecx, 0x400
        xor eax, eax
        rep stosd
        ; REPNE MOVSB copies like REP
        mov dword [SCRATCH], 0x44332211
        mov esi, SCRATCH
        mov edi, SCRATCH + 0x10
        mov ecx, 4
        repne movsb
        mov eax, [SCRATCH + 0x10]
        DUMP
        ; FS override on STOS is ignored: the store goes to ES:EDI
        mov ax, 0x28
        mov fs, ax
        mov edi, SCRATCH + 0x20
        mov eax, 0x5a5a5a5a
        fs stosd
        mov eax, [SCRATCH + 0x20]
        mov ebx, [SCRATCH + 0x1020]
        DUMP
        ; override on MOVS source applies (FS base SCRATCH + 0x1000)
        mov dword [SCRATCH + 0x1030], 0x77665544
        mov esi, 0x30
        mov edi, SCRATCH + 0x40
        fs movsd
        mov eax, [SCRATCH + 0x40]
        DUMP
        ; several segment overrides: the last one wins
        mov dword [SCRATCH + 0x1050], 0x0f0f0f0f
        mov dword [0x50], 0
        mov ebx, 0x50
        db 0x64, 0x3e                   ; FS then DS: DS wins
        mov eax, [ebx]
        db 0x3e, 0x64                   ; DS then FS: FS wins
        mov ecx, [ebx]
        DUMP
        ; redundant prefixes and overrides on register-only instructions
        db 0x66, 0x66, 0x66
        mov eax, 0x1234                 ; assembled as mov ax, imm16 with three 0x66
        db 0x2e, 0x3e
        add eax, ebx
        db 0xf3
        add eax, 1                      ; REP on a non-string instruction: ignored
        DUMP
        ; 0x66 + 0x67 on a string instruction: word moves, SI/DI/CX counters
        mov esi, 0xaaaa0000 | ((SCRATCH + 0x100) & 0xffff)
        mov edi, 0xbbbb0000 | ((SCRATCH + 0x180) & 0xffff)
        mov ecx, 0xcccc0003
        db 0xf3, 0x66, 0x67, 0xa5       ; rep movsw with 16-bit addressing
        DUMP
        ; LOCK on a read-modify-write with a memory destination
        mov dword [SCRATCH + 0x200], 5
        lock add dword [SCRATCH + 0x200], 7
        lock xadd [SCRATCH + 0x200], eax
        mov edx, [SCRATCH + 0x200]
        DUMP
        ; 15 prefixes + opcode = 16 bytes: #GP(0)
        RESUME_AT .after
        db 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66
        nop
.after: DUMP
        ; 14 prefixes + opcode = 15 bytes: fine
        db 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66
        nop
        DUMP
        mov al, 0
        ret

%include "lib/rom-end.inc"

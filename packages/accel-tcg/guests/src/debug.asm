; Debug features: single-step traps (EFLAGS.TF) after each instruction, including across a
; taken jump and a REP string instruction; an instruction breakpoint in DR0 (fault before the
; instruction, DR6.B0 set, resumed with RF); INT1 (ICEBP) and INT3.
%include "lib/rom.inc"

test_main:
        call install_idt
        ; vector 1: print "DB eip dr6" and return (keeping TF as the frame has it)
        mov eax, db_handler
        mov word [IDT_BASE + 1 * 8], ax
        shr eax, 16
        mov word [IDT_BASE + 1 * 8 + 6], ax
        ; single-step a few instructions
        pushfd
        or dword [esp], 0x100
        popfd                       ; the trap comes after the instruction *following* POPF
        mov eax, 1
        add eax, 2
        jmp .skip
        nop
.skip:  mov ecx, 2
        mov esi, SCRATCH
        mov edi, SCRATCH + 0x100
        rep movsb
        pushfd
        and dword [esp], ~0x100
        popfd
        DUMP
        ; instruction breakpoint on bp_target (DR0, local enable, R/W = 00, LEN = 00)
        mov eax, bp_target
        mov dr0, eax
        mov eax, 0x00000001
        mov dr7, eax
        mov ebx, 0x1111
bp_target:
        mov ebx, 0x2222             ; #DB before this runs; the handler sets RF to continue
        xor eax, eax
        mov dr7, eax
        DUMP
        ; INT3
        RESUME_AT .after3
        int3
.after3:
        DUMP
        mov al, 0
        ret

db_handler:
        push eax
        mov esi, msg_db
        call puts
        mov eax, [esp + 4]          ; return EIP
        call hex32
        mov al, ' '
        call putc
        mov eax, dr6
        and eax, 0x0000e00f
        call hex32
        mov al, 10
        call putc
        xor eax, eax
        mov dr6, eax
        ; an instruction breakpoint is a fault: resume with RF so it does not hit again
        mov eax, [esp + 4]
        cmp eax, bp_target
        jne .ret
        or dword [esp + 12], 0x10000
.ret:   pop eax
        iretd
msg_db: db "DB ", 0

%include "lib/rom-end.inc"

; Task switches with a 16-bit TSS: JMP from a 32-bit task to a 16-bit one (16-bit code segment,
; registers and FLAGS from the 16-bit TSS, FS/GS null), JMP back (the 16-bit task's state saved
; as words), then CALL it through a task gate and return with a 16-bit IRET (NT, back link).
;
; REFERENCE: sdm — QEMU 7.2 restores EFLAGS wrongly when a 16-bit task JMPs back to a 32-bit
; one (the 32-bit task sees the 16-bit task's arithmetic flags instead of the EFLAGS saved in
; its TSS) and then triple-faults on the CALL through the task gate, so this transcript
; (guests/expected/task16.txt) was checked by hand against SDM Vol. 3 §8.3:
;   line 1 (after the JMP back): EAX/EBX/EFLAGS = 11111111/22222222/46 as saved in TSS1 at the
;     first JMP; ECX = TR = 28; EDX = 21D1, the 16-bit task's AX (1616 + 0BBB) saved as a word;
;     ESI = the 16-bit task's IP saved at its JMP (the offset after it); EDI = its descriptor's
;     high dword with type 1 (available: a JMP away clears busy).
;   line 2 (after CALL through the task gate and the 16-bit IRET): TR = 28 again, EFLAGS = 46
;     (NT clear); EDI type 1 again (IRET leaves the nested task not busy); ESI = the FLAGS the
;     16-bit task saw = 4016 (its own flags from ADD, plus NT); EBP = FS in that task = 0 (null).
;   then "EXC 0000000a 00001234 <task3>": #TS with the bad selector as error code, at the new
;     task's first instruction (QEMU reports the JMP's address instead), and a last line with
;     TR (EBX) = 40 and the new task's ESP.
%include "lib/rom.inc"

GDT_RAM     equ 0x50000
TSS1        equ 0x40000
TSS16       equ 0x42000
TSS3        equ 0x43000

SEL_TSS1    equ 0x28
SEL_TSS16   equ 0x30
SEL_TASKG   equ 0x38

%macro EXTRA_GDT 0
        dq 0x0000890000000067 | (TSS1 << 16)               ; 0x28 32-bit TSS
        dq 0x000081000000002b | ((TSS16 & 0xffffff) << 16) ; 0x30 16-bit TSS
        dq 0x0000850000000000 | (SEL_TSS16 << 16)          ; 0x38 task gate → 16-bit TSS
        dq 0x0000890000000067 | ((TSS3 & 0xffffff) << 16)  ; 0x40 32-bit TSS with a bad GS
%endmacro

test_main:
        call install_idt
        mov esi, gdt
        mov edi, GDT_RAM
        mov ecx, gdt_end - gdt
        rep movsb
        mov word [SCRATCH], gdt_end - gdt - 1
        mov dword [SCRATCH + 2], GDT_RAM
        lgdt [SCRATCH]
        mov edi, TSS1
        mov ecx, 0x3000 / 4
        xor eax, eax
        rep stosd
        mov ax, SEL_TSS1
        ltr ax
        ; the 16-bit task: IP, FLAGS, AX..DI, ES CS SS DS, LDT
        mov word [TSS16 + 0x0e], task16 - 0xffff0000
        mov word [TSS16 + 0x10], 0x0002
        mov word [TSS16 + 0x12], 0x1616             ; AX
        mov word [TSS16 + 0x18], 0x0bbb             ; BX
        mov word [TSS16 + 0x1a], 0x7000             ; SP
        mov word [TSS16 + 0x22], SEL_DATA16         ; ES
        mov word [TSS16 + 0x24], SEL_CODE16         ; CS
        mov word [TSS16 + 0x26], SEL_DATA16         ; SS
        mov word [TSS16 + 0x28], SEL_DATA16         ; DS
        mov eax, 0x11111111
        mov ebx, 0x22222222
        jmp SEL_TSS16:0
after_jmp:
        str ecx
        movzx edx, word [TSS16 + 0x12]              ; the 16-bit task's AX, saved as a word
        movzx esi, word [TSS16 + 0x0e]              ; and its IP (after its JMP)
        mov edi, [GDT_RAM + SEL_TSS16 + 4]          ; not busy any more
        DUMP
        call SEL_TASKG:0
        str ecx
        pushfd
        pop edx
        mov edi, [GDT_RAM + SEL_TSS16 + 4]
        movzx esi, word [0x602]
        movzx ebp, word [0x604]
        DUMP
        ; A fault after a task switch has committed belongs to the new task (SDM Vol. 3 §7.3,
        ; step 13 onwards): #TS(0x1234) for the new task's GS, reported at the new task's first
        ; instruction, with TR already the new task's.
        mov edi, TSS3
        mov ecx, 0x68 / 4
        xor eax, eax
        rep stosd
        mov dword [TSS3 + 0x20], task3
        mov dword [TSS3 + 0x24], 0x2
        mov dword [TSS3 + 0x38], STACK_TOP - 0x400
        mov word [TSS3 + 0x48], SEL_DATA32
        mov word [TSS3 + 0x4c], SEL_CODE32
        mov word [TSS3 + 0x50], SEL_DATA32
        mov word [TSS3 + 0x54], SEL_DATA32
        mov word [TSS3 + 0x58], SEL_DATA32
        mov word [TSS3 + 0x5c], 0x1234
        RESUME_AT task3_done
        jmp 0x40:0
task3:
        hlt                                         ; not reached: the #TS comes first
task3_done:
        str ebx
        DUMP
        mov al, 0
        jmp exit

        bits 16
task16:
        mov cx, fs                                  ; null in a task from a 16-bit TSS
        add ax, bx
        mov word [0x600], ax
        jmp SEL_TSS1:0
        ; the CALL through the task gate resumes here
        pushf
        pop dx                                      ; NT set
        mov word [0x602], dx
        mov word [0x604], cx
        iret
        bits 32

%include "lib/rom-end.inc"

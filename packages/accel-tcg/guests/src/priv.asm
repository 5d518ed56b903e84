; Privilege transitions: LTR; IRET to ring 3; IOPL- and CPL-sensitive instructions (#GP);
; the TSS I/O bitmap; user/supervisor and read-only pages from ring 3 (#PF 5 and 7); INT n
; through DPL 3 and DPL 0 gates with a stack switch; a call gate with a parameter and RETF
; back across rings; SYSENTER/SYSEXIT; hardware task switches by JMP to a TSS, CALL through a
; task gate and IRET with NT, and #TS/#GP for bad TSS targets.
%include "lib/rom.inc"

GDT_RAM     equ 0x50000
TSS1        equ 0x40000
TSS2        equ 0x42000
RING3_STACK equ 0x70000
RING0_STACK equ 0x8f000
PD          equ 0x30000
PT0         equ 0x31000
SUPER_PAGE  equ 0x60000         ; supervisor-only
RO_PAGE     equ 0x61000         ; user, read-only

SEL_CODE3   equ 0x28 | 3
SEL_DATA3   equ 0x30 | 3
SEL_TSS1    equ 0x38
SEL_GATE    equ 0x40 | 3
SEL_TSS2    equ 0x48
SEL_TASKG   equ 0x50
SEL_BADTSS  equ 0x58

%macro EXTRA_GDT 0
        dq 0x00cffb000000ffff               ; 0x28 code32 DPL 3
        dq 0x00cff3000000ffff               ; 0x30 data32 DPL 3
        dq 0x0000890000002068 | (TSS1 << 16)   ; 0x38 TSS1, limit 0x2068 (bitmap), available
        dq 0                                 ; 0x40 call gate, built at run time
        dq 0x0000890000000067 | ((TSS2 & 0xffffff) << 16) ; 0x48 TSS2
        dq 0x0000e50000000000 | (SEL_TSS2 << 16)           ; 0x50 task gate → TSS2, DPL 3
        dq 0x0000890000000020 | ((TSS2 & 0xffffff) << 16) ; 0x58 TSS, limit too small
%endmacro

%macro TRY 0
%push try
        RESUME_AT %$resume
%endmacro
%macro TRY_END 0
%$resume:
        DUMP
%pop
%endmacro

; set_gate vector, handler, type-attr
%macro SET_GATE 3
        mov eax, %2
        mov word [IDT_BASE + %1 * 8], ax
        mov word [IDT_BASE + %1 * 8 + 2], SEL_CODE32
        mov word [IDT_BASE + %1 * 8 + 4], %3
        shr eax, 16
        mov word [IDT_BASE + %1 * 8 + 6], ax
%endmacro

test_main:
        call install_idt
        mov [saved_esp], esp
        ; IDT limit covers 0x00-0xff now
        mov word [idt_big], 0x7ff
        mov dword [idt_big + 2], IDT_BASE
        lidt [idt_big]
        SET_GATE 0x80, int80, 0xef00        ; 32-bit trap gate, DPL 3
        SET_GATE 0x81, int80, 0x8e00        ; DPL 0: #GP from ring 3
        SET_GATE 0x82, back_to_ring0, 0xee00
        ; writable GDT copy in RAM (busy bits and accessed bits get written)
        mov esi, gdt
        mov edi, GDT_RAM
        mov ecx, gdt_end - gdt
        rep movsb
        mov eax, gate_target                ; call gate: DPL 3, 1 dword parameter
        mov word [GDT_RAM + 0x40], ax
        mov word [GDT_RAM + 0x42], SEL_CODE32
        mov word [GDT_RAM + 0x44], 0xec01
        shr eax, 16
        mov word [GDT_RAM + 0x46], ax
        mov word [gdtr_ram], gdt_end - gdt - 1
        mov dword [gdtr_ram + 2], GDT_RAM
        lgdt [gdtr_ram]
        ; TSS1: ring-0 stack, I/O bitmap denying everything but 0xe9
        mov edi, TSS1
        mov ecx, 0x2100 / 4
        xor eax, eax
        rep stosd
        mov dword [TSS1 + 4], RING0_STACK
        mov dword [TSS1 + 8], SEL_DATA32
        mov word [TSS1 + 0x66], 0x68
        mov dword [TSS1 + 0x1c], PD                 ; CR3 is loaded, never saved, by task switches
        mov edi, TSS1 + 0x68
        mov ecx, 0x2000 / 4
        mov eax, -1
        rep stosd
        mov byte [TSS1 + 0x68 + 0x1d], 0xfd         ; port 0xe9 allowed
        mov byte [TSS1 + 0x68 + 0x2000], 0xff
        mov ax, SEL_TSS1
        ltr ax
        str ebx
        mov eax, [GDT_RAM + 0x38 + 4]               ; busy bit now set
        DUMP
        ; paging with a supervisor page and a read-only user page
        mov edi, PT0
        mov eax, 0x007
        mov ecx, 1024
.id:    stosd
        add eax, 0x1000
        loop .id
        mov dword [PT0 + (SUPER_PAGE >> 12) * 4], SUPER_PAGE | 0x003
        mov dword [PT0 + (RO_PAGE >> 12) * 4], RO_PAGE | 0x005
        mov dword [PD], PT0 | 0x007
        mov dword [PD + 1023 * 4], 0xffc00000 | 0x087
        mov eax, cr4
        or eax, 0x10
        mov cr4, eax
        mov eax, PD
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        ; SYSENTER MSRs
        mov ecx, 0x174
        mov eax, SEL_CODE32
        xor edx, edx
        wrmsr
        mov ecx, 0x175
        mov eax, RING0_STACK - 0x100
        wrmsr
        mov ecx, 0x176
        mov eax, sysenter_entry
        wrmsr
        ; to ring 3
        push dword SEL_DATA3
        push dword RING3_STACK
        push dword 0x2                      ; IF = 0, IOPL = 0
        push dword SEL_CODE3
        push dword ring3
        iretd

ring3:
        mov eax, cs
        mov ecx, ss
        mov edx, ds                         ; DS became null on the way out
        DUMP
        mov ax, SEL_DATA3
        mov ds, ax
        mov es, ax
        TRY
        cli                                 ; #GP(0): CPL 3 > IOPL 0
        TRY_END
        TRY
        hlt                                 ; #GP(0)
        TRY_END
        TRY
        mov eax, cr0                        ; #GP(0)
        TRY_END
        TRY
        in al, 0x80                         ; #GP(0): I/O bitmap
        TRY_END
        TRY
        mov eax, [SUPER_PAGE]               ; #PF 5
        TRY_END
        TRY
        mov eax, [RO_PAGE]                  ; fine
        mov dword [RO_PAGE], 1              ; #PF 7
        TRY_END
        TRY
        mov ax, SEL_DATA32                  ; #GP(0x10): DPL 0 data from CPL 3
        mov ds, ax
        TRY_END
        mov ax, SEL_DATA3
        mov ds, ax
        TRY
        mov eax, 0x1234
        int 0x80                            ; DPL 3 trap gate: stack switch to ring 0 and back
        TRY_END
        TRY
        int 0x81                            ; #GP(0x40a)
        TRY_END
        TRY
        push dword 0xc0ffee                 ; parameter copied to the ring-0 stack
        call SEL_GATE:0
        TRY_END
        ; SYSENTER to ring 0 and SYSEXIT back
        mov ecx, esp
        mov edx, after_sysexit
        sysenter
after_sysexit:
        mov eax, cs
        mov ecx, ss
        DUMP
        int 0x82                            ; back to ring 0 for good

int80:
        ; [esp] eip, cs, eflags, esp, ss of the ring-3 caller
        mov ebx, [esp + 4]
        mov ecx, [esp + 16]
        mov edx, esp
        DUMP
        iretd

gate_target:
        ; [esp] eip, cs, parameter, esp, ss
        mov eax, [esp + 8]
        mov ebx, [esp + 4]
        mov ecx, [esp + 16]
        mov edx, esp
        DUMP
        retf 4

sysenter_entry:
        mov eax, cs
        mov ebx, ss
        DUMP
        sysexit

back_to_ring0:
        mov ax, SEL_DATA32
        mov ds, ax
        mov es, ax
        mov esp, [saved_esp]
        mov eax, cs
        DUMP
        ; --- task switches ---------------------------------------------------------------
        mov edi, TSS2
        mov ecx, 0x68 / 4
        xor eax, eax
        rep stosd
        mov dword [TSS2 + 0x1c], PD                 ; CR3
        mov dword [TSS2 + 0x20], task2              ; EIP
        mov dword [TSS2 + 0x24], 0x2                ; EFLAGS
        mov dword [TSS2 + 0x38], RING0_STACK - 0x800 ; ESP
        mov dword [TSS2 + 0x28], 0x2222             ; EAX
        mov word [TSS2 + 0x48], SEL_DATA32          ; ES
        mov word [TSS2 + 0x4c], SEL_CODE32          ; CS
        mov word [TSS2 + 0x50], SEL_DATA32          ; SS
        mov word [TSS2 + 0x54], SEL_DATA32          ; DS
        mov word [TSS2 + 0x58], SEL_DATA32          ; FS
        mov word [TSS2 + 0x5c], SEL_DATA32          ; GS
        mov eax, 0x1111
        jmp SEL_TSS2:0
after_jmp_back:
        str ebx
        mov ecx, [GDT_RAM + 0x48 + 4]               ; TSS2 no longer busy
        DUMP
        call SEL_TASKG:0                            ; through the task gate
        str ebx
        pushfd
        pop ecx                                     ; NT clear again
        DUMP
        TRY
        jmp SEL_BADTSS:0                            ; #TS(0x58): limit below 0x67
        TRY_END
        TRY
        jmp SEL_TSS1:0                              ; #GP(0x38): TSS1 is busy (current)
        TRY_END
        mov al, 0
        ret

task2:
        str ebx
        mov ecx, [GDT_RAM + 0x38 + 4]               ; TSS1 not busy after a JMP away
        DUMP
        jmp SEL_TSS1:0                              ; back: resumes after the JMP in task 1
        ; the CALL through the task gate resumes here
        str ebx
        pushfd
        pop ecx                                     ; NT set: nested task
        movzx edx, word [TSS2]                      ; back link = TSS1
        DUMP
        iretd

saved_esp   equ SCRATCH + 0x100
idt_big     equ SCRATCH + 0x110
gdtr_ram    equ SCRATCH + 0x120

%include "lib/rom-end.inc"

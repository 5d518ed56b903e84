; Virtual-8086 mode: IRET into V86 with IOPL 3; 16-bit code there reaches port 0xE9 through the
; TSS I/O bitmap; INT n goes to a protected-mode handler on the ring-0 stack with ES/DS/FS/GS
; pushed and VM set in the saved EFLAGS, then IRET returns to V86; a
; final INT leaves V86 for good.
%include "lib/rom.inc"

GDT_RAM     equ 0x50000
TSS1        equ 0x40000
RING0_STACK equ 0x8f000
V86_CODE    equ 0x8000          ; V86 CS = 0x0800

%macro EXTRA_GDT 0
        dq 0x0000890000002068 | (TSS1 << 16)   ; 0x28 TSS, limit covers the I/O bitmap
%endmacro

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
        mov word [idt_big], 0x7ff
        mov dword [idt_big + 2], IDT_BASE
        lidt [idt_big]
        SET_GATE 0x21, int21, 0xee00
        SET_GATE 0x22, leave_v86, 0xee00
        mov esi, gdt
        mov edi, GDT_RAM
        mov ecx, gdt_end - gdt
        rep movsb
        mov word [gdtr_ram], gdt_end - gdt - 1
        mov dword [gdtr_ram + 2], GDT_RAM
        lgdt [gdtr_ram]
        mov edi, TSS1
        mov ecx, 0x2100 / 4
        xor eax, eax
        rep stosd
        mov dword [TSS1 + 4], RING0_STACK
        mov dword [TSS1 + 8], SEL_DATA32
        mov word [TSS1 + 0x66], 0x68
        mov edi, TSS1 + 0x68
        mov ecx, 0x2000 / 4
        mov eax, -1
        rep stosd
        mov byte [TSS1 + 0x68 + 0x1d], 0xfd         ; port 0xe9 allowed
        mov byte [TSS1 + 0x68 + 0x2000], 0xff
        mov ax, 0x28
        ltr ax
        ; V86 code into low memory
        mov esi, v86_code
        mov edi, V86_CODE
        mov ecx, v86_end - v86_code
        rep movsb
        ; IRET frame for V86: GS FS DS ES SS ESP EFLAGS CS EIP
        push dword 0x0300               ; GS
        push dword 0x0200               ; FS
        push dword 0x0100               ; DS
        push dword 0x0050               ; ES
        push dword 0x0700               ; SS
        push dword 0x1000               ; ESP
        push dword 0x00023002           ; VM, IOPL 3
        push dword V86_CODE >> 4        ; CS
        push dword 0                    ; EIP
        iretd

int21:
        ; [esp] eip, cs, eflags, esp, ss, es, ds, fs, gs
        mov eax, [esp + 8]              ; EFLAGS with VM
        mov ebx, [esp + 4]              ; CS
        mov ecx, [esp + 20]             ; ES
        mov edx, [esp + 24]             ; DS
        mov esi, ds                     ; null on entry from V86
        DUMP
        add word [esp + 4 * 0], 0       ; return to the next V86 instruction as is
        iretd

leave_v86:
        mov ax, SEL_DATA32
        mov ds, ax
        mov es, ax
        mov eax, [esp + 8]
        mov esp, [saved_esp]
        DUMP
        mov al, 0
        ret

        bits 16
v86_code:
        mov ax, cs
        mov bx, ss
        mov cx, ds
        mov al, 'V'
        out 0xe9, al
        mov al, 10
        out 0xe9, al
        mov ax, 0x1234
        int 0x21
        pushf
        pop dx
        mov al, 'W'
        out 0xe9, al
        mov al, 10
        out 0xe9, al
        int 0x22
v86_end:
        bits 32

saved_esp   equ SCRATCH + 0x100
idt_big     equ SCRATCH + 0x110
gdtr_ram    equ SCRATCH + 0x120

%include "lib/rom-end.inc"
